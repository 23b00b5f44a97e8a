/**
 * The inbound SMTP listener (smtp-server). It accepts mail only for campaign reply addresses and
 * bounce return paths (550 at RCPT for anything else), refuses oversize messages (552), limits
 * connections, offers STARTTLS when a certificate is configured, and answers 250 only once the raw
 * message is stored in Postgres: nothing it accepted can be lost. Parsing and checks come later, in
 * a worker (queue `inbound`), and the sweep re-queues anything stored but not yet processed.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { and, eq, isNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { SMTPServer } from 'smtp-server';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { explainListenError } from '../infra/startup-error.js';
import type { InboundSmtpResult } from '../metrics/process-metrics.js';
import { campaigns, inboundMessages } from '../db/schema.js';
import type { Queues } from '../queue/queues.js';
import { inboundJobId } from '../queue/queues.js';
import { parseInboundAddress } from './inbound-address.js';

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export interface InboundListener {
  port: number;
  close(): Promise<void>;
}

export async function startInboundListener(
  config: Pick<Config, 'INBOUND_DOMAIN' | 'INBOUND_SMTP_HOST' | 'INBOUND_SMTP_PORT' | 'INBOUND_MAX_BYTES' | 'INBOUND_MAX_CLIENTS' | 'INBOUND_TLS_KEY_FILE' | 'INBOUND_TLS_CERT_FILE'>,
  deps: { db: Database; queues: Queues; log: Logger; answered?: Counter<'result'> | undefined },
): Promise<InboundListener> {
  const count = (result: InboundSmtpResult) => deps.answered?.inc({ result });
  const tls =
    config.INBOUND_TLS_KEY_FILE && config.INBOUND_TLS_CERT_FILE
      ? { key: readFileSync(config.INBOUND_TLS_KEY_FILE), cert: readFileSync(config.INBOUND_TLS_CERT_FILE) }
      : undefined;

  /** A campaign's reply address (of a campaign that exists), or a bounce return path. */
  async function acceptsRecipient(address: string): Promise<boolean> {
    const parsed = parseInboundAddress(address, config.INBOUND_DOMAIN);
    if (parsed?.kind === 'bounce') return true;
    if (parsed?.kind !== 'reply') return false;
    const [campaign] = await deps.db
      .select({ id: campaigns.id })
      .from(campaigns)
      .where(and(eq(campaigns.replyToken, parsed.token), isNull(campaigns.deletedAt)));
    return campaign !== undefined;
  }

  const server = new SMTPServer({
    name: config.INBOUND_DOMAIN,
    banner: 'campaign letters inbound',
    size: config.INBOUND_MAX_BYTES,
    maxClients: config.INBOUND_MAX_CLIENTS,
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ?? {}),
    logger: false,
    onRcptTo(address, session, callback) {
      acceptsRecipient(address.address).then(
        (accepted) => {
          if (accepted) return callback();
          count('recipient_refused');
          deps.log.debug({ to: address.address, remoteAddress: session.remoteAddress }, 'inbound recipient refused');
          callback(smtpError(550, `5.1.1 <${address.address}>: no such recipient here`));
        },
        (error: unknown) => {
          count('not_stored');
          deps.log.error({ err: error }, 'recipient check failed');
          callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
        },
      );
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          count('too_large');
          deps.log.info({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null, remoteAddress: session.remoteAddress }, 'inbound message refused: too large');
          return callback(smtpError(552, `5.3.4 Message exceeds the ${config.INBOUND_MAX_BYTES} byte limit`));
        }
        const store = async () => {
          const [row] = await deps.db
            .insert(inboundMessages)
            .values({
              via: 'smtp',
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
              envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              remoteAddress: session.remoteAddress,
              helo: session.hostNameAppearsAs,
              raw: Buffer.concat(chunks),
            })
            .returning({ id: inboundMessages.id });
          return row!.id;
        };
        store().then(
          async (id) => {
            count('accepted');
            deps.log.info(
              {
                inboundId: id,
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
                to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
                bytes: chunks.reduce((sum, chunk) => sum + chunk.length, 0),
              },
              'inbound message stored',
            );
            // Stored: the message is safe. Queuing is best effort; the sweep catches a lost job.
            await deps.queues.add('inbound', 'process', { inboundId: id }, inboundJobId(id)).catch((error: unknown) =>
              deps.log.warn({ err: error, id }, 'could not queue inbound message; the sweep will'),
            );
            callback(null, `Queued as ${id}`);
          },
          (error: unknown) => {
            count('not_stored');
            deps.log.error({ err: error }, 'could not store inbound message');
            callback(smtpError(451, '4.3.0 Could not store the message, try again later'));
          },
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(explainListenError(error, { host: config.INBOUND_SMTP_HOST, port: config.INBOUND_SMTP_PORT, variable: 'INBOUND_SMTP_PORT', hostVariable: 'INBOUND_SMTP_HOST' })),
    );
    server.listen(config.INBOUND_SMTP_PORT, config.INBOUND_SMTP_HOST, () => resolve());
  });
  // Only once listening: a failed listen is reported above, as one line, not also logged here.
  server.on('error', (error) => deps.log.warn({ err: error }, 'inbound SMTP connection error'));
  const { port } = server.server.address() as AddressInfo;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
