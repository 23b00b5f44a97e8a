/**
 * The inbound SMTP listener (smtp-server). It accepts mail only for campaign reply addresses and
 * return paths whose token's MAC is right (550 at RCPT for anything else, a forged return path
 * included: nothing it carried is stored), refuses oversize messages (552), limits connections,
 * offers STARTTLS when a certificate is configured, and answers 250 only once the raw message is
 * stored in Postgres: nothing it accepted can be lost. Parsing and checks come later, in
 * a worker (queue `inbound`), and the sweep re-queues anything stored but not yet processed.
 *
 * Its memory is bounded: a message is held only up to INBOUND_MAX_BYTES (past that its bytes are
 * counted and dropped until the end of DATA, then answered 552), so at most INBOUND_MAX_BYTES per
 * connection, and INBOUND_MAX_CLIENTS connections, INBOUND_MAX_CONNECTIONS_PER_CLIENT from one address.
 * Messages per client address and per envelope sender are counted per hour in Redis (shared by every
 * listener); over the limit is a 4xx, so a real sender's server tries again later.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { explainListenError } from '../infra/startup-error.js';
import type { InboundSmtpResult } from '../metrics/process-metrics.js';
import { inboundMessages } from '../db/schema.js';
import type { Queues } from '../queue/queues.js';
import { inboundJobId } from '../queue/queues.js';
import { throttledErrorLog } from '../queue/redis-connection.js';
import { hitFixedWindows, type Window } from '../infra/fixed-window-limit.js';
import { acceptedRecipient } from './inbound-recipient.js';

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export interface InboundListener {
  port: number;
  close(): Promise<void>;
}

export type InboundListenerConfig = Pick<
  Config,
  | 'INBOUND_DOMAIN'
  | 'INBOUND_SMTP_HOST'
  | 'INBOUND_SMTP_PORT'
  | 'INBOUND_MAX_BYTES'
  | 'INBOUND_MAX_CLIENTS'
  | 'INBOUND_MAX_CONNECTIONS_PER_CLIENT'
  | 'INBOUND_CLIENT_MESSAGES_PER_HOUR'
  | 'INBOUND_SENDER_MESSAGES_PER_HOUR'
  | 'INBOUND_TLS_KEY_FILE'
  | 'INBOUND_TLS_CERT_FILE'
  | 'REDIS_PREFIX'
  | 'SECRET_KEY'
>;

const HOUR = 3600;

export async function startInboundListener(
  config: InboundListenerConfig,
  deps: { db: Database; queues: Queues; redis: Redis; log: Logger; answered?: Counter<'result'> | undefined },
): Promise<InboundListener> {
  const count = (result: InboundSmtpResult) => deps.answered?.inc({ result });
  const tls =
    config.INBOUND_TLS_KEY_FILE && config.INBOUND_TLS_CERT_FILE
      ? { key: readFileSync(config.INBOUND_TLS_KEY_FILE), cert: readFileSync(config.INBOUND_TLS_CERT_FILE) }
      : undefined;

  /** Open connections per client address, by session id (a refused connection's close is then harmless). */
  const connections = new Map<string, Set<string>>();
  const warnLimitsUnavailable = throttledErrorLog((details, message) => deps.log.warn(details, message), 'Redis (inbound limits)');

  /**
   * Counts one message for its client address and envelope sender; false when either is over its
   * hourly limit. With Redis unreachable the count is skipped: a reply is worth more than the limit.
   */
  async function withinMessageLimits(session: SMTPServerSession, sender: string): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
    const windows: Window[] = [
      { key: `${config.REDIS_PREFIX}:inbound-client:${session.remoteAddress}`, limit: config.INBOUND_CLIENT_MESSAGES_PER_HOUR, windowSeconds: HOUR },
    ];
    // The null sender of delivery reports is everyone's: only its client address is counted.
    if (sender) windows.push({ key: `${config.REDIS_PREFIX}:inbound-sender:${sender.toLowerCase()}`, limit: config.INBOUND_SENDER_MESSAGES_PER_HOUR, windowSeconds: HOUR });
    try {
      const results = await hitFixedWindows(deps.redis, windows);
      const over = results.filter((result) => !result.allowed);
      return { allowed: over.length === 0, retryAfterSeconds: Math.max(0, ...over.map((result) => result.retryAfterSeconds)) };
    } catch (error) {
      warnLimitsUnavailable(error);
      return { allowed: true, retryAfterSeconds: 0 };
    }
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
    onConnect(session, callback) {
      const open = connections.get(session.remoteAddress) ?? new Set<string>();
      if (open.size >= config.INBOUND_MAX_CONNECTIONS_PER_CLIENT) {
        count('too_many_connections');
        return callback(smtpError(421, '4.7.0 Too many connections from your address, try again later'));
      }
      open.add(session.id);
      connections.set(session.remoteAddress, open);
      callback();
    },
    onClose(session) {
      const open = connections.get(session.remoteAddress);
      open?.delete(session.id);
      if (open?.size === 0) connections.delete(session.remoteAddress);
    },
    onMailFrom(address, session, callback) {
      void withinMessageLimits(session, address.address).then(({ allowed, retryAfterSeconds }) => {
        if (allowed) return callback();
        count('too_many_messages');
        callback(smtpError(451, `4.7.1 Too many messages from you this hour, try again in ${retryAfterSeconds} seconds`));
      });
    },
    onRcptTo(address, session, callback) {
      acceptedRecipient(deps.db, config, address.address).then(
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
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // Past the limit the message is refused whatever follows: drop what is held, count the rest.
        if (size > config.INBOUND_MAX_BYTES) chunks.length = 0;
        else chunks.push(chunk);
      });
      stream.on('end', () => {
        if (size > config.INBOUND_MAX_BYTES || stream.sizeExceeded) {
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
              size,
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
