/**
 * POST /api/v1/inbound: raw RFC 822 bytes from an MTA pipe or a provider's forward. Authenticated
 * by an HMAC-SHA256 over "<timestamp>.<body>" with INBOUND_HMAC_SECRET; a timestamp more than five
 * minutes off, or a signature already used, is refused (401), and nothing is stored. Accepted
 * messages are stored like the SMTP listener's and processed by the same worker.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import { and, eq, isNull } from 'drizzle-orm';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { campaigns, inboundMessages } from '../db/schema.js';
import { NotFoundError, StateError, UnauthorizedError, ValidationError } from '../errors.js';
import type { Queues } from '../queue/queues.js';
import { inboundJobId } from '../queue/queues.js';
import { parseInboundAddress } from './inbound-address.js';

const MAX_SKEW_SECONDS = 300;

export function signInboundBody(secret: string, timestamp: string, body: Buffer): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

export interface HttpIntakeOptions {
  db: Database;
  redis: Redis;
  queues: Queues;
  config: Pick<Config, 'INBOUND_HMAC_SECRET' | 'INBOUND_DOMAIN' | 'INBOUND_MAX_BYTES' | 'REDIS_PREFIX'>;
}

export const httpIntakeRoutes: FastifyPluginAsync<HttpIntakeOptions> = async (app, { db, redis, queues, config }) => {
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
          'Headers: X-Envelope-To (the reply address it was sent to), optional X-Envelope-From, X-Inbound-Timestamp (unix seconds) and ' +
          'X-Inbound-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." + body)). Replays and stale timestamps get 401.',
      },
    },
    async (request, reply) => {
      const secret = config.INBOUND_HMAC_SECRET;
      if (!secret) throw new StateError('intake_disabled', 'HTTP intake is off: set INBOUND_HMAC_SECRET to enable it');
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0) throw new ValidationError('Send the raw message as message/rfc822', 'body');

      const timestamp = String(request.headers['x-inbound-timestamp'] ?? '');
      const signature = String(request.headers['x-inbound-signature'] ?? '');
      if (!/^\d{1,12}$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS) {
        throw new UnauthorizedError('X-Inbound-Timestamp is missing or more than five minutes off');
      }
      const expected = Buffer.from(signInboundBody(secret, timestamp, body));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new UnauthorizedError('X-Inbound-Signature does not match the body');
      }
      // Each signature is good once: a replay within the timestamp window is refused.
      const fresh = await redis.set(`${config.REDIS_PREFIX}:inbound-signature:${signature.slice(7)}`, '1', 'EX', MAX_SKEW_SECONDS * 2, 'NX');
      if (fresh !== 'OK') throw new UnauthorizedError('This signature was already used');

      const to = String(request.headers['x-envelope-to'] ?? '').trim();
      const address = parseInboundAddress(to, config.INBOUND_DOMAIN);
      if (address?.kind === 'reply') {
        const [campaign] = await db
          .select({ id: campaigns.id })
          .from(campaigns)
          .where(and(eq(campaigns.replyToken, address.token), isNull(campaigns.deletedAt)));
        if (!campaign) throw new NotFoundError('No campaign has this reply address', 'x-envelope-to');
      } else if (address?.kind !== 'bounce') {
        throw new NotFoundError('X-Envelope-To is not an address this service receives mail for', 'x-envelope-to');
      }
      const from = request.headers['x-envelope-from'];
      const [row] = await db
        .insert(inboundMessages)
        .values({ via: 'http', envelopeTo: [to], envelopeFrom: typeof from === 'string' ? from : null, remoteAddress: request.ip, raw: body })
        .returning({ id: inboundMessages.id });
      await queues.add('inbound', 'process', { inboundId: row!.id }, inboundJobId(row!.id)).catch((error: unknown) =>
        request.log.warn({ err: error }, 'could not queue inbound message; the sweep will'),
      );
      return reply.code(202).send({ id: row!.id, status: 'received' });
    },
  );
};
