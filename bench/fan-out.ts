/**
 * The broadcast pipeline end to end: a campaign's supporters seeded in Postgres, a reply broadcast
 * started through the API, and the worker processes sending it to the sink while the run watches
 * throughput, memory, Redis and Postgres.
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { DatabaseHandle } from '../src/db/client.js';
import type { Sink } from './counting-sink.js';
import { dbUrl, log, redisUrl, SMOKE, SUPPORTERS } from './options.js';
import { peakRssMb, postgresClusterCpuMs, postmasterOf, totalCpuMs } from './process-usage.js';
import { call, startWorkers, stop, type Api } from './services.js';

/** SUPPORTERS confirmed supporters of the campaign; returns how long it took, in ms. */
export async function seed(db: DatabaseHandle, campaignId: string) {
  const started = Date.now();
  // One INSERT … SELECT over generate_series inside Postgres: no rows cross the wire at all, which
  // is faster still than COPY from the client.
  await db.pool.query(
    `WITH new_contacts AS (
       INSERT INTO contacts (email, name)
       SELECT 'bench-' || n || '@example.org', 'Supporter ' || n FROM generate_series(1, $2::int) AS n
       RETURNING id, name
     )
     INSERT INTO supporters (campaign_id, contact_id, name, postcode, status, consent_statement, consent_at, confirmed_at)
     SELECT $1::uuid, id, name, 'SW1A 2AH', 'confirmed', 'I agree', now(), now() FROM new_contacts`,
    [campaignId, SUPPORTERS],
  );
  await db.pool.query('ANALYZE contacts; ANALYZE supporters');
  return Date.now() - started;
}

export interface FanOut {
  msgsPerSec: number;
  firstDeliveryMs: number;
  totalMs: number;
  workerPeakRssMb: number;
  redisPeakMb: number;
  pgMsPerDelivery: number;
  /** Postgres CPU per delivery, all its processes; null when Postgres runs elsewhere. */
  pgCpuMsPerDelivery: number | null;
  averageBytes: number;
  workerCpuMsPerMessage: number;
}

export async function fanOut(
  label: string,
  api: Api,
  auth: Record<string, string>,
  campaignId: string,
  sink: Sink,
  extraEnv: Record<string, string> = {},
): Promise<FanOut> {
  const workers = await startWorkers(extraEnv, sink.url);
  const redis = new Redis(redisUrl);
  const pgStats = new pg.Client({ connectionString: dbUrl });
  await pgStats.connect();
  const busyTime = async () =>
    Number((await pgStats.query<{ t: number }>('SELECT active_time AS t FROM pg_stat_database WHERE datname = current_database()')).rows[0]?.t ?? 0);
  const postmasterPid = postmasterOf((await pgStats.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
  const postgresCpu = () => (postmasterPid === undefined ? undefined : postgresClusterCpuMs(postmasterPid));
  try {
    sink.reset();
    const { id: broadcastId } = await call<{ id: string }>(api, auth, 'POST', `/api/v1/campaigns/${campaignId}/broadcasts`, {
      kind: 'reply',
      subject: 'The reply from {{ campaign.target.name }}',
      body: readFileSync('tests/fixtures/government-reply-2014.txt', 'utf8').replace(/[{}%]/g, '') + '\n\nDear {{ supporter.first_name }}, thank you.',
    });
    let redisPeak = 0;
    const busyBefore = await busyTime();
    const pgCpuBefore = postgresCpu();
    const cpuBefore = totalCpuMs(workers);
    const start = Date.now();
    await call(api, auth, 'POST', `/api/v1/broadcasts/${broadcastId}/start`);
    for (;;) {
      const used = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
      redisPeak = Math.max(redisPeak, used);
      const { status, counts } = await call<{ status: string; counts: { sent: number; total: number } }>(api, auth, 'GET', `/api/v1/broadcasts/${broadcastId}`);
      if (status === 'completed') break;
      if (status === 'paused' || status === 'cancelled') throw new Error(`${label}: broadcast ${status}`);
      log(`  ${label}: ${counts.sent}/${counts.total} sent, ${sink.accepted} at the sink`);
      await new Promise((resolve) => setTimeout(resolve, SMOKE ? 200 : 1_000));
    }
    const totalMs = Date.now() - start;
    const pgBusyMs = (await busyTime()) - busyBefore;
    const pgCpuAfter = postgresCpu();
    if (sink.accepted < SUPPORTERS) throw new Error(`${label}: the sink has ${sink.accepted} of ${SUPPORTERS}`);
    const rss = workers.map((child) => peakRssMb(child.pid!));
    const workerCpuMs = totalCpuMs(workers) - cpuBefore;
    return {
      msgsPerSec: Math.round(SUPPORTERS / (totalMs / 1000)),
      firstDeliveryMs: sink.firstAt - start,
      totalMs,
      workerPeakRssMb: Math.max(...rss),
      redisPeakMb: Math.round(redisPeak / 104857.6) / 10,
      pgMsPerDelivery: Math.round((pgBusyMs / SUPPORTERS) * 1000) / 1000,
      pgCpuMsPerDelivery:
        pgCpuBefore === undefined || pgCpuAfter === undefined ? null : Math.round(((pgCpuAfter - pgCpuBefore) / SUPPORTERS) * 1000) / 1000,
      averageBytes: sink.averageBytes,
      workerCpuMsPerMessage: Math.round((workerCpuMs / SUPPORTERS) * 1000) / 1000,
    };
  } finally {
    await stop(workers);
    redis.disconnect();
    await pgStats.end();
  }
}
