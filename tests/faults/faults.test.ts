/**
 * Faults during a live broadcast and during inbound intake (`npm run test:faults`, also part of
 * `npm test`). After each: every audience member has a message, a repeat only ever with the same
 * Message-ID, and the ledger's sent count equals the people the sink saw.
 */
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startInboundListener } from '../../src/inbound/smtp-listener.js';
import { Queues } from '../../src/queue/queues.js';
import { createRedis } from '../../src/queue/redis-connection.js';
import { createPublishedCampaign, startStack, waitUntil } from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';
import { expectExactlyOnePerPerson, FAST, mine, startBroadcast } from './broadcast-checks.js';

const ctx = useTestStack({ runs: 'database', organiser: 'Faults' });

describe('a broadcast survives', () => {
  it('its worker connections to Postgres being terminated mid-send', async () => {
    const stack = await startStack(FAST);
    try {
      const broadcastId = await startBroadcast(ctx, stack, 1_200);
      await waitUntil(() => mine(stack, broadcastId).length >= 300, '300 messages', 60_000);
      for (let round = 0; round < 2; round++) {
        await ctx.handle.pool.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = current_database() AND application_name = 'campaign-letters-worker'`,
        );
        await new Promise((resolve) => setTimeout(resolve, 700));
      }
      await expectExactlyOnePerPerson(ctx, stack, broadcastId, 1_200);
    } finally {
      await stack.close();
    }
  }, 120_000);

  it('the SMTP server being unreachable for a while, then back', async () => {
    const stack = await startStack(FAST);
    try {
      const broadcastId = await startBroadcast(ctx, stack, 800);
      await waitUntil(() => mine(stack, broadcastId).length >= 150, '150 messages', 60_000);
      await stack.sink.pause();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const { rows } = await ctx.handle.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM deliveries WHERE broadcast_id = $1 AND status = 'retry' AND last_response LIKE '%ECONNREFUSED%'",
        [broadcastId],
      );
      expect(rows[0]!.n).toBeGreaterThan(0);
      await stack.sink.resume();
      await expectExactlyOnePerPerson(ctx, stack, broadcastId, 800);
    } finally {
      await stack.close();
    }
  }, 120_000);
});

describe('inbound intake survives', () => {
  it('a client disconnecting mid-message: nothing half-received is stored', async () => {
    const stack = await startStack({ INBOUND_SMTP_PORT: '0' });
    const producer = createRedis(stack.config.REDIS_URL, 'producer');
    const queues = new Queues(producer, stack.config.REDIS_PREFIX);
    const listener = await startInboundListener(stack.config, { db: ctx.handle.db, queues, redis: producer, log: pino({ level: 'silent' }) });
    try {
      const campaign = await createPublishedCampaign(stack.app, ctx.organiser);
      const details = (await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}`, headers: ctx.organiser.auth })).json();
      const before = (await ctx.handle.pool.query('SELECT count(*)::int AS n FROM inbound_messages')).rows[0].n;
      const fixture = readFileSync(new URL('../fixtures/government-reply-2014.eml', import.meta.url), 'utf8');

      await new Promise<void>((resolve, reject) => {
        const socket = connect(listener.port, '127.0.0.1');
        const script = [`EHLO test\r\n`, `MAIL FROM:<conflict.department@fco.example.gov.uk>\r\n`, `RCPT TO:<${details.replyAddress}>\r\n`, `DATA\r\n`];
        let step = 0;
        socket.on('data', (chunk) => {
          const reply = chunk.toString();
          if (step < script.length && /^(220|250|354)/m.test(reply)) {
            socket.write(script[step++]!);
          } else if (/^354/m.test(reply) || step === script.length) {
            // Half the message, then the connection drops.
            socket.write(fixture.slice(0, fixture.length / 2));
            setTimeout(() => socket.destroy(), 100);
          }
        });
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await ctx.handle.pool.query('SELECT count(*)::int AS n FROM inbound_messages')).rows[0].n).toBe(before);
      expect((await ctx.handle.pool.query('SELECT count(*)::int AS n FROM replies WHERE campaign_id = $1', [campaign.id])).rows[0].n).toBe(0);
    } finally {
      await listener.close();
      await queues.close();
      await stack.close();
    }
  });
});
