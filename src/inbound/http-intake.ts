/**
 * POST /api/v1/inbound: raw RFC 822 bytes from an MTA pipe or a provider's forward. Authenticated
 * by an HMAC-SHA256 with INBOUND_HMAC_SECRET over the timestamp, the envelope (recipient, sender,
 * the SMTP client's address) and the body, so none of them can be altered on the way; a timestamp
 * more than five minutes off is refused (401), and nothing is stored. The same envelope and body
 * handed over again — a retry after our 5xx, or a replay — is stored once and answered with the
 * same id. SPF is checked against the client address the request states, and not at all without
 * one: the message's own Received headers are written by whoever wrote the message.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyPluginAsync } from 'fastify';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { inboundMessages } from '../db/schema.js';
import { NotFoundError, StateError, UnauthorizedError, ValidationError } from '../errors.js';
import { validationSentence } from '../http/validation-message.js';
import type { Queues } from '../queue/queues.js';
import { inboundJobId } from '../queue/queues.js';
import { acceptedRecipient } from './inbound-recipient.js';

const MAX_SKEW_SECONDS = 300;

/** The envelope a hand-over states; each field is signed (absent ones as empty strings). */
export interface InboundEnvelope {
  to: string;
  from?: string | undefined;
  clientIp?: string | undefined;
}

function envelopeLines(envelope: InboundEnvelope): string {
  return `${envelope.to}\n${envelope.from ?? ''}\n${envelope.clientIp ?? ''}\n`;
}

/**
 * sha256=hex(HMAC-SHA256(secret, timestamp LF X-Envelope-To LF X-Envelope-From LF X-Envelope-Client-IP LF body)).
 * Header values cannot hold a line feed, so each field ends exactly where the next begins.
 */
export function signInboundRequest(secret: string, timestamp: string, envelope: InboundEnvelope, body: Buffer): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}\n${envelopeLines(envelope)}`).update(body).digest('hex');
}

const envelopeSchema = z.object({
  to: z.string().min(3).max(320),
  from: z
    .string()
    .max(320)
    .regex(/^[^\s<>]*$/, { message: 'must be a bare address, or empty for a bounce' })
    .optional(),
  clientIp: z
    .string()
    .refine((value) => isIP(value) !== 0, { message: 'must be an IPv4 or IPv6 address' })
    .optional(),
});

function headerOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

export interface HttpIntakeOptions {
  db: Database;
  queues: Queues;
  config: Pick<Config, 'INBOUND_HMAC_SECRET' | 'INBOUND_DOMAIN' | 'INBOUND_MAX_BYTES' | 'SECRET_KEY'>;
}

export const httpIntakeRoutes: FastifyPluginAsync<HttpIntakeOptions> = async (app, { db, queues, config }) => {
  app.addContentTypeParser(['message/rfc822', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: config.INBOUND_MAX_BYTES }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    '/api/v1/inbound',
    {
      schema: {
        tags: ['replies'],
        summary: 'Hand over a received email (raw RFC 822), signed with INBOUND_HMAC_SECRET',
        description:
          'Headers: X-Envelope-To (the reply address it was sent to), optional X-Envelope-From and X-Envelope-Client-IP (the SMTP client, ' +
          'for SPF), X-Inbound-Timestamp (unix seconds) and X-Inbound-Signature: sha256=hex(HMAC-SHA256(secret, timestamp LF to LF from LF ' +
          'client-ip LF body)), absent fields as empty strings. Stale timestamps get 401; the same envelope and body again is stored once.',
      },
    },
    async (request, reply) => {
      const secret = config.INBOUND_HMAC_SECRET;
      if (!secret) throw new StateError('intake_disabled', 'HTTP intake is off: set INBOUND_HMAC_SECRET to enable it');
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0) throw new ValidationError('Send the raw message as message/rfc822', 'body');

      const timestamp = headerOf(request.headers['x-inbound-timestamp']) ?? '';
      const signature = headerOf(request.headers['x-inbound-signature']) ?? '';
      if (!/^\d{1,12}$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS) {
        throw new UnauthorizedError('X-Inbound-Timestamp is missing or more than five minutes off');
      }
      const stated: InboundEnvelope = {
        to: headerOf(request.headers['x-envelope-to']) ?? '',
        from: headerOf(request.headers['x-envelope-from']),
        clientIp: headerOf(request.headers['x-envelope-client-ip']),
      };
      const expected = Buffer.from(signInboundRequest(secret, timestamp, stated, body));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new UnauthorizedError('X-Inbound-Signature does not match the timestamp, envelope and body (see README: HTTP intake)');
      }
      const parsed = envelopeSchema.safeParse(stated);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = { to: 'x-envelope-to', from: 'x-envelope-from', clientIp: 'x-envelope-client-ip' }[String(issue.path[0]) as keyof InboundEnvelope];
        throw new ValidationError(validationSentence(field, issue.message), field);
      }
      const envelope = parsed.data;

      if (!(await acceptedRecipient(db, config, envelope.to))) {
        throw new NotFoundError('X-Envelope-To is not an address this service receives mail for (no campaign has this reply address, or the return path is not one of ours)', 'x-envelope-to');
      }

      // The timestamp is left out: a sender that signs its retry afresh is still retrying the same message.
      const intakeKey = createHash('sha256').update(envelopeLines(envelope)).update(body).digest('hex');
      const [stored] = await db
        .insert(inboundMessages)
        .values({
          via: 'http',
          envelopeTo: [envelope.to],
          envelopeFrom: envelope.from || null,
          remoteAddress: envelope.clientIp ?? null,
          raw: body,
          intakeKey,
        })
        .onConflictDoNothing({ target: inboundMessages.intakeKey })
        .returning({ id: inboundMessages.id, status: inboundMessages.status });
      const [row] = stored
        ? [stored]
        : await db.select({ id: inboundMessages.id, status: inboundMessages.status }).from(inboundMessages).where(eq(inboundMessages.intakeKey, intakeKey));
      if (!row) throw new Error('an inbound message stored under this key has vanished');
      if (row.status === 'received') {
        await queues.add('inbound', 'process', { inboundId: row.id }, inboundJobId(row.id)).catch((error: unknown) =>
          request.log.warn({ err: error }, 'could not queue inbound message; the sweep will'),
        );
      }
      return reply.code(202).send({ id: row.id, status: row.status });
    },
  );
};
