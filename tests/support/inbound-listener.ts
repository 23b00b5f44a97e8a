/**
 * The inbound SMTP listener in the test process, on a test's database and its stack's queues: what
 * `npm run inbound` runs, with its own Redis connection, closed together.
 */
import nodemailer from 'nodemailer';
import { pino } from 'pino';
import type { Config } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { startInboundListener } from '../../src/inbound/smtp-listener.js';
import { Queues } from '../../src/queue/queues.js';
import { createRedis } from '../../src/queue/redis-connection.js';

export interface TestInboundListener {
  port: number;
  queues: Queues;
  close(): Promise<void>;
}

export async function startTestInboundListener(config: Config, db: Database): Promise<TestInboundListener> {
  const redis = createRedis(config.REDIS_URL, 'producer');
  const queues = new Queues(redis, config.REDIS_PREFIX);
  const listener = await startInboundListener(config, { db, queues, redis, log: pino({ level: 'silent' }) });
  return {
    port: listener.port,
    queues,
    async close() {
      await listener.close();
      await queues.close();
      redis.disconnect();
    },
  };
}

/** Sends raw RFC 822 bytes to an inbound listener as any MTA would, with the envelope given. */
export async function deliverRaw(port: number, raw: string | Buffer, to: string, from: string) {
  const client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    return await client.sendMail({ envelope: { from, to: [to] }, raw });
  } finally {
    client.close();
  }
}
