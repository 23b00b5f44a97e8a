import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { serviceFiguresQuery } from '../../src/metrics/metrics-queries.js';
import {
  createPublishedCampaign,
  signAndConfirm,
  startApp,
  startStack,
  uniqueSuffix,
  waitForValue,
  waitUntil,
  type Stack,
} from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';
import { seedSupporters } from '../support/seed.js';

const { handle, organiser } = useTestStack({ runs: 'database', organiser: 'UNA-UK' });

/** The value of one sample in Prometheus text format, or undefined when the exposition lacks it. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = match[2] ? match[2].split(',') : [];
    if (wanted.every((label) => present.includes(label)) && present.length === wanted.length) return Number(match[3]);
  }
  return undefined;
}

async function scrapeApi(stack: Stack): Promise<string> {
  const response = await stack.app.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['content-type']).toContain('text/plain; version=0.0.4');
  return response.body;
}

async function scrapeWorker(stack: Stack): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${stack.workers.metricsPort}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** Each delivery gauge equals the ledger's own rows, counted now. */
async function expectDeliveriesMatchLedger(text: string) {
  const ledgers = [
    ['broadcast', 'deliveries'],
    ['one_to_one', 'transactional_messages'],
    ['target_letter', 'target_letters'],
  ] as const;
  for (const [kind, table] of ledgers) {
    const { rows } = await handle.pool.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM ${table} GROUP BY status`);
    const statuses = kind === 'broadcast' ? ['pending', 'sending', 'sent', 'retry', 'failed', 'bounced', 'skipped'] : ['pending', 'sending', 'sent', 'failed', 'skipped'];
    for (const status of statuses) {
      expect(sample(text, 'campaign_letters_deliveries', { kind, status }), `${kind} ${status}`).toBe(rows.find((r) => r.status === status)?.n ?? 0);
    }
  }
}

describe('GET /metrics during a real broadcast', () => {
  // A modest rate, so the broadcast is still sending when the test pauses it.
  const { stack } = useTestStack({ env: { METRICS_PORT: '0', MAIL_RATE_PER_SECOND: '60', DELIVERY_STALE_SECONDS: '3' } });

  it('counts sign-ups, one-to-one mail, the letter to the target and a broadcast as the ledger does, and they move', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    await signAndConfirm(stack, campaign.slug, { name: 'Ada Lovelace', email: `ada-${uniqueSuffix()}@example.org` });
    await waitUntil(async () => (await handle.pool.query("SELECT 1 FROM transactional_messages WHERE status = 'sent'")).rowCount === 2, 'the confirmation and the letter copy sent');
    const letter = await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/deliver-letter`, headers: organiser.auth, payload: { mode: 'bundle' } });
    expect(letter.statusCode, letter.body).toBe(202);
    await waitUntil(async () => (await handle.pool.query("SELECT 1 FROM target_letters WHERE status = 'sent'")).rowCount === 1, 'the letter to the target sent');

    const before = await scrapeApi(stack);
    expect(sample(before, 'campaign_letters_signups_total')).toBe(1);
    expect(sample(before, 'campaign_letters_confirmations_total')).toBe(1);
    expect(sample(before, 'campaign_letters_supporters_confirmed')).toBe(1);
    expect(sample(before, 'campaign_letters_deliveries', { kind: 'one_to_one', status: 'sent' })).toBe(2);
    expect(sample(before, 'campaign_letters_deliveries', { kind: 'target_letter', status: 'sent' })).toBe(1);
    await expectDeliveriesMatchLedger(before);
    for (const queue of ['transactional', 'broadcast-send', 'broadcast-plan', 'inbound', 'target-letter', 'campaign-purge']) {
      for (const state of ['waiting', 'active', 'delayed', 'failed']) {
        expect(sample(before, 'campaign_letters_queue_jobs', { queue, state }), `${queue} ${state}`).toBeGreaterThanOrEqual(0);
      }
    }
    expect(sample(before, 'campaign_letters_metrics_source_up', { source: 'postgres' })).toBe(1);
    expect(sample(before, 'campaign_letters_metrics_source_up', { source: 'redis' })).toBe(1);
    expect(sample(before, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);

    await seedSupporters(handle, campaign.id, 300, uniqueSuffix());
    const created = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaign.id}/broadcasts`,
      headers: organiser.auth,
      payload: { kind: 'update', subject: 'News, {{ supporter.first_name }}', body: 'Dear {{ supporter.name }},\n\nNews.\n\n[Unsubscribe]({{ unsubscribe_url }})' },
    });
    const broadcastId = created.json<{ id: string }>().id;
    const action = (name: string) => stack.app.inject({ method: 'POST', url: `/api/v1/broadcasts/${broadcastId}/${name}`, headers: organiser.auth });
    const mailsBefore = stack.sink.received.length;
    expect((await action('start')).statusCode).toBe(200);
    await waitUntil(() => stack.sink.received.length >= mailsBefore + 30, 'the first broadcast messages');
    expect((await action('pause')).statusCode).toBe(200);
    // Paused: in-flight sends finish or go back to pending, and then the ledger stands still.
    await waitUntil(async () => (await handle.pool.query("SELECT 1 FROM deliveries WHERE status = 'sending'")).rowCount === 0, 'no claimed deliveries');

    const paused = await scrapeApi(stack);
    await expectDeliveriesMatchLedger(paused);
    const sentWhilePaused = sample(paused, 'campaign_letters_deliveries', { kind: 'broadcast', status: 'sent' })!;
    expect(sentWhilePaused).toBeGreaterThanOrEqual(30);
    expect(sentWhilePaused).toBeLessThan(301);
    expect(sample(paused, 'campaign_letters_broadcasts', { status: 'paused' })).toBe(1);

    expect((await action('resume')).statusCode).toBe(200);
    await waitForValue(
      async () => (await stack.app.inject({ method: 'GET', url: `/api/v1/broadcasts/${broadcastId}`, headers: organiser.auth })).json<{ status: string }>().status,
      (status) => status === 'completed',
      'the broadcast to complete',
    );
    // Its completion is mailed to the organiser's owners: that one-to-one mail settles too.
    await waitUntil(
      async () => (await handle.pool.query("SELECT 1 FROM transactional_messages WHERE kind = 'broadcast_completed' AND status = 'sent'")).rowCount === 1,
      'the owners told the broadcast completed',
    );
    const after = await scrapeApi(stack);
    await expectDeliveriesMatchLedger(after);
    expect(sample(after, 'campaign_letters_deliveries', { kind: 'broadcast', status: 'sent' })).toBe(301);
    expect(sample(after, 'campaign_letters_broadcasts', { status: 'completed' })).toBe(1);
    expect(sample(after, 'campaign_letters_broadcasts', { status: 'paused' })).toBe(0);
    // Messages were accepted within the rate's window (10 s) before this scrape.
    expect(sample(after, 'campaign_letters_broadcast_sends_per_second')).toBeGreaterThan(0);

    // The worker's own figures: every message the sink received is one 2xx answer, timed once.
    const worker = await scrapeWorker(stack);
    expect(sample(worker, 'campaign_letters_smtp_replies_total', { class: '2xx' })).toBe(stack.sink.received.length);
    expect(sample(worker, 'campaign_letters_smtp_send_duration_seconds_count', { class: '2xx' })).toBe(stack.sink.received.length);
    expect(sample(worker, 'campaign_letters_smtp_send_duration_seconds_bucket', { class: '2xx', le: '+Inf' })).toBe(stack.sink.received.length);
    expect(sample(worker, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});

describe('who may read /metrics', () => {
  it('without METRICS_TOKEN: only a loopback client, and never through a proxy (404 otherwise)', async () => {
    const app = await startApp();
    try {
      expect((await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '::1' })).statusCode).toBe(200);
      const outside = await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.7' });
      expect(outside.statusCode).toBe(404);
      expect(outside.json()).toEqual({ error: { code: 'route_not_found', message: 'No route for GET /metrics' } });
      const proxied = await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.7' } });
      expect(proxied.statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('with METRICS_TOKEN: only with the token (401 otherwise), from anywhere', async () => {
    const token = 'metrics-token-of-some-length';
    const app = await startApp({ METRICS_TOKEN: token });
    try {
      for (const headers of [{}, { authorization: 'Bearer wrong-token-of-the-same-size' }, { authorization: token }, { authorization: `Bearer ${token}x` }]) {
        const refused = await app.inject({ method: 'GET', url: '/metrics', headers });
        expect(refused.statusCode, JSON.stringify(headers)).toBe(401);
        expect(refused.json().error.code).toBe('unauthorized');
        expect(refused.body).not.toContain('campaign_letters');
      }
      const allowed = await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.7', headers: { authorization: `Bearer ${token}` } });
      expect(allowed.statusCode).toBe(200);
      expect(allowed.body).toContain('# TYPE campaign_letters_deliveries gauge');
    } finally {
      await app.close();
    }
  });

  it("the workers' /metrics obeys METRICS_TOKEN too", async () => {
    const token = 'metrics-token-of-some-length';
    const stack = await startStack({ METRICS_PORT: '0', METRICS_TOKEN: token });
    try {
      const url = `http://127.0.0.1:${stack.workers.metricsPort}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      const allowed = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(allowed.status).toBe(200);
      expect(await allowed.text()).toContain('# TYPE campaign_letters_smtp_replies_total counter');
      expect((await fetch(`http://127.0.0.1:${stack.workers.metricsPort}/other`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    } finally {
      await stack.close();
    }
  });
});

describe('the cost of a scrape', () => {
  it('reads counter tables and small tables only, never a ledger or the supporters', async () => {
    const result = await handle.db.execute<{ 'QUERY PLAN': unknown }>(sql`EXPLAIN (FORMAT JSON) ${serviceFiguresQuery()}`);
    const relations = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (node && typeof node === 'object') {
        const record = node as Record<string, unknown>;
        if (typeof record['Relation Name'] === 'string') relations.add(record['Relation Name']);
        Object.values(record).forEach(walk);
      }
    };
    walk(result.rows[0]!['QUERY PLAN']);
    expect([...relations].sort()).toEqual(
      ['broadcast_delivery_counts', 'broadcast_send_seconds', 'broadcasts', 'campaigns', 'inbound_messages', 'replies', 'target_letters', 'transactional_message_counts'],
    );
  });
});
