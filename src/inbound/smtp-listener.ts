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
import { SMTPServer } from 'smtp-server';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
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
  deps: { db: Database; queues: Queues; log: Logger },
): Promise<InboundListener> {
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
    onRcptTo(address, _session, callback) {
      acceptsRecipient(address.address).then(
        (accepted) => callback(accepted ? undefined : smtpError(550, `5.1.1 <${address.address}>: no such recipient here`)),
        (error: unknown) => {
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
            // Stored: the message is safe. Queuing is best effort; the sweep catches a lost job.
            await deps.queues.add('inbound', 'process', { inboundId: id }, inboundJobId(id)).catch((error: unknown) =>
              deps.log.warn({ err: error, id }, 'could not queue inbound message; the sweep will'),
            );
            callback(null, `Queued as ${id}`);
          },
          (error: unknown) => {
            deps.log.error({ err: error }, 'could not store inbound message');
            callback(smtpError(451, '4.3.0 Could not store the message, try again later'));
          },
        );
      });
    },
  });
  server.on('error', (error) => deps.log.warn({ err: error }, 'inbound SMTP connection error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.INBOUND_SMTP_PORT, config.INBOUND_SMTP_HOST, () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
