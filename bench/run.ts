/**
 * `npm run bench`: throughput, latency and memory of the whole pipeline, measured against the raw
 * SMTP ceiling in the same run on the same machine. Prints a table, writes BENCHMARKS.md, and prints
 * one JSON line with the figures last.
 *
 *   npm run bench                          100,000 supporters, 2 worker processes
 *   npm run bench -- --supporters 1000000
 *   npm run bench -- --smoke               1,000 supporters, short sign-up run, no BENCHMARKS.md
 *
 * Everything talks over loopback to local services: PostgreSQL and Redis from DATABASE_URL and
 * REDIS_URL (a fresh database and key prefix per run, removed afterwards) and an SMTP sink here.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { runMigrations } from '../src/db/migrate.js';
import { createOrganiser } from '../src/organisers/organiser-service.js';
import { openDatabase } from '../src/db/client.js';

const { values: args } = parseArgs({
  options: {
    supporters: { type: 'string' },
    workers: { type: 'string', default: '2' },
    smoke: { type: 'boolean', default: false },
    'skip-dkim': { type: 'boolean', default: false },
  },
});
const SMOKE = args.smoke ?? false;
const SUPPORTERS = Number(args.supporters ?? (SMOKE ? 1_000 : 100_000));
const WORKERS = Number(args.workers);
const SIGNUP_SECONDS = SMOKE ? 2 : 10;

const serverUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const database = `cl_bench_${runId}`;
const prefix = `clbench-${runId}`;
const dbUrl = (() => {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
})();

function log(line: string) {
  process.stderr.write(`${line}\n`);
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(serverUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** An SMTP sink that accepts everything and counts, recording when the first message arrived. */
async function startSink() {
  let accepted = 0;
  let firstAt = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        accepted += 1;
        if (firstAt === 0) firstAt = Date.now();
        callback();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    reset() {
      accepted = 0;
      firstAt = 0;
    },
    get accepted() {
      return accepted;
    },
    get firstAt() {
      return firstAt;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Sink = Awaited<ReturnType<typeof startSink>>;

function env(sinkUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: dbUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    SMTP_URL: sinkUrl,
    MAIL_FROM: 'campaigns@example.org',
    PUBLIC_BASE_URL: 'https://letters.example.org',
    INBOUND_DOMAIN: 'replies.example.org',
    SECRET_KEY: 'benchmark-secret-key-of-at-least-32-characters',
    SIGNUP_RATE_LIMIT_PER_MINUTE: '100000000',
    SIGNUP_EMAIL_RATE_LIMIT_PER_HOUR: '100000000',
    WORKER_CONCURRENCY: '4',
    SMTP_POOL_SIZE: '5',
    BROADCAST_PARALLELISM: String(WORKERS * 2),
    ...extra,
  };
}

function peakRssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round(kb / 102.4) / 10;
  } catch {
    return 0;
  }
}

async function startWorkers(extraEnv: Record<string, string>, sinkUrl: string): Promise<ChildProcess[]> {
  // The compiled workers, as production runs them (tsx's transpiler would inflate their memory).
  const children = Array.from({ length: WORKERS }, () =>
    spawn(process.execPath, ['dist/workers/index.js'], {
      env: { ...process.env, ...env(sinkUrl, extraEnv) },
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
  // Ready when each has connected to Redis as a BullMQ worker; a short settle is enough here.
  await new Promise((resolve) => setTimeout(resolve, SMOKE ? 2_500 : 4_000));
  return children;
}

async function seed(db: ReturnType<typeof openDatabase>, campaignId: string) {
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

interface FanOut {
  msgsPerSec: number;
  firstDeliveryMs: number;
  totalMs: number;
  workerPeakRssMb: number;
  redisPeakMb: number;
  pgMsPerDelivery: number;
}

async function fanOut(
  label: string,
  app: Awaited<ReturnType<typeof buildApp>>,
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
  try {
    sink.reset();
    const created = await app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaignId}/broadcasts`,
      headers: auth,
      payload: {
        kind: 'reply',
        subject: 'The reply from {{ campaign.target.name }}',
        body: readFileSync('tests/fixtures/government-reply-2014.txt', 'utf8').replace(/[{}%]/g, '') + '\n\nDear {{ supporter.first_name }}, thank you.',
      },
    });
    const broadcastId = created.json<{ id: string }>().id;
    let redisPeak = 0;
    const busyBefore = await busyTime();
    const start = Date.now();
    await app.inject({ method: 'POST', url: `/api/v1/broadcasts/${broadcastId}/start`, headers: auth });
    for (;;) {
      const used = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
      redisPeak = Math.max(redisPeak, used);
      const { status, counts } = (await app.inject({ method: 'GET', url: `/api/v1/broadcasts/${broadcastId}`, headers: auth })).json<{
        status: string;
        counts: { sent: number; total: number };
      }>();
      if (status === 'completed') break;
      if (status === 'paused' || status === 'cancelled') throw new Error(`${label}: broadcast ${status}`);
      log(`  ${label}: ${counts.sent}/${counts.total} sent, ${sink.accepted} at the sink`);
      await new Promise((resolve) => setTimeout(resolve, SMOKE ? 200 : 1_000));
    }
    const totalMs = Date.now() - start;
    const pgBusyMs = (await busyTime()) - busyBefore;
    if (sink.accepted < SUPPORTERS) throw new Error(`${label}: the sink has ${sink.accepted} of ${SUPPORTERS}`);
    const rss = workers.map((child) => peakRssMb(child.pid!));
    return {
      msgsPerSec: Math.round(SUPPORTERS / (totalMs / 1000)),
      firstDeliveryMs: sink.firstAt - start,
      totalMs,
      workerPeakRssMb: Math.max(...rss),
      redisPeakMb: Math.round(redisPeak / 104857.6) / 10,
      pgMsPerDelivery: Math.round((pgBusyMs / SUPPORTERS) * 1000) / 1000,
    };
  } finally {
    for (const child of workers) child.kill('SIGTERM');
    await Promise.all(workers.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
    redis.disconnect();
    await pgStats.end();
  }
}

/** The same number of messages of the same size, straight from nodemailer's pool to the same sink. */
async function ceiling(sink: Sink, sampleSize: number): Promise<number> {
  sink.reset();
  const connections = WORKERS * 5;
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true, pool: true, maxConnections: connections });
  const body = 'x'.repeat(Math.max(100, sampleSize));
  let next = 0;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: connections * 2 }, async () => {
      while (next < SUPPORTERS) {
        const n = next++;
        await transport.sendMail({
          from: 'United Nations Association – UK <campaigns@example.org>',
          to: `bench-${n}@example.org`,
          subject: 'The reply from Rt Hon William Hague MP',
          text: body,
          html: `<p>${body}</p>`,
          messageId: `<ceiling.${n}@example.org>`,
        });
      }
    }),
  );
  transport.close();
  return Math.round(SUPPORTERS / ((Date.now() - start) / 1000));
}

async function signupBenchmark(app: Awaited<ReturnType<typeof buildApp>>, slug: string) {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const apiPort = (app.server.address() as AddressInfo).port;
  let n = 0;
  const through = await autocannon({
    url: `http://127.0.0.1:${apiPort}/api/v1/campaigns/${slug}/signatures`,
    method: 'POST',
    connections: 20,
    duration: SIGNUP_SECONDS,
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, body: JSON.stringify({ name: `Signer ${++n}`, email: `signer-${runId}-${n}@example.org`, consent: true }) }) }],
  });

  // The floor to compare with: a bare Fastify route doing the same single insert, nothing else.
  const bare = Fastify();
  const pool = new pg.Pool({ connectionString: dbUrl, max: 10 });
  let m = 0;
  bare.post('/signatures', async (request) => {
    const body = request.body as { name: string; email: string };
    await pool.query('INSERT INTO contacts (email, name) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING', [body.email, body.name]);
    return { status: 'ok' };
  });
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const barePort = (bare.server.address() as AddressInfo).port;
  const floor = await autocannon({
    url: `http://127.0.0.1:${barePort}/signatures`,
    method: 'POST',
    connections: 20,
    duration: SIGNUP_SECONDS,
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, body: JSON.stringify({ name: `Bare ${++m}`, email: `bare-${runId}-${m}@example.org` }) }) }],
  });
  await bare.close();
  await pool.end();
  const non2xx = through.non2xx + through.errors;
  if (non2xx > 0) throw new Error(`sign-up benchmark: ${non2xx} requests failed`);
  return {
    signupReqPerSec: Math.round(through.requests.average),
    signupP99Ms: through.latency.p99,
    bareReqPerSec: Math.round(floor.requests.average),
  };
}

async function main() {
  log(`benchmark: ${SUPPORTERS.toLocaleString('en-GB')} supporters, ${WORKERS} worker processes${SMOKE ? ' (smoke)' : ''}`);
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  await admin((client) => client.query(`CREATE DATABASE ${database}`));
  const sink = await startSink();
  const config = parseConfig(env(sink.url));
  await runMigrations(dbUrl);
  const app = await buildApp(config);
  const db = openDatabase(dbUrl, { poolSize: 2 });
  try {
    const organiser = await createOrganiser(db.db, { email: `bench-${runId}@example.org`, name: 'Benchmark' });
    const auth = { authorization: `Bearer ${organiser.apiKey}` };
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/campaigns',
      headers: auth,
      payload: {
        slug: `bench-${runId.replace(/_/g, '-')}`,
        title: 'The Responsibility to Protect',
        letter: { subject: 'The Responsibility to Protect', body: 'Dear Secretary of State,\n\nYours sincerely,\n{{ supporter.name }}' },
        target: { name: 'Rt Hon William Hague MP', email: 'fs@fco.gov.example' },
        sender: { name: 'United Nations Association – UK', email: 'campaigns@una.org.example' },
      },
    });
    const campaign = created.json<{ id: string; slug: string }>();
    await app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/publish`, headers: auth });
    const seedMs = await seed(db, campaign.id);
    log(`seeded in ${seedMs} ms`);

    const pipeline = await fanOut('fan-out', app, auth, campaign.id, sink);
    const sampleSize = readFileSync('tests/fixtures/government-reply-2014.txt', 'utf8').length * 2;
    const ceilingMsgsPerSec = await ceiling(sink, sampleSize);
    let dkim: FanOut | undefined;
    if (!args['skip-dkim']) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      dkim = await fanOut('fan-out with DKIM', app, auth, campaign.id, sink, {
        DKIM_DOMAIN: 'example.org',
        DKIM_SELECTOR: 'bench',
        DKIM_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().replace(/\n/g, '\\n'),
      });
    }
    const signup = await signupBenchmark(app, campaign.slug);

    const figures = {
      supporters: SUPPORTERS,
      fanoutMsgsPerSec: pipeline.msgsPerSec,
      ceilingMsgsPerSec,
      fanoutRatio: Math.round((pipeline.msgsPerSec / ceilingMsgsPerSec) * 100) / 100,
      firstDeliveryMs: pipeline.firstDeliveryMs,
      workerPeakRssMb: pipeline.workerPeakRssMb,
      redisPeakMb: pipeline.redisPeakMb,
      pgMsPerDelivery: pipeline.pgMsPerDelivery,
      dkimMsgsPerSec: dkim?.msgsPerSec ?? null,
      signupReqPerSec: signup.signupReqPerSec,
      signupRatio: Math.round((signup.signupReqPerSec / signup.bareReqPerSec) * 100) / 100,
      signupP99Ms: signup.signupP99Ms,
    };
    const rows: Array<[string, string]> = [
      ['supporters', SUPPORTERS.toLocaleString('en-GB')],
      ['fan-out messages/s', `${pipeline.msgsPerSec} (${figures.fanoutRatio} × ceiling)`],
      ['ceiling (nodemailer pool → sink) messages/s', String(ceilingMsgsPerSec)],
      ['fan-out with DKIM messages/s', dkim ? `${dkim.msgsPerSec} (${Math.round((dkim.msgsPerSec / ceilingMsgsPerSec) * 100) / 100} × ceiling)` : 'skipped'],
      ['first message accepted after start', `${pipeline.firstDeliveryMs} ms`],
      ['total time', `${(pipeline.totalMs / 1000).toFixed(1)} s`],
      ['worker peak RSS (largest process)', `${pipeline.workerPeakRssMb} MB`],
      ['Redis peak used_memory', `${pipeline.redisPeakMb} MB`],
      ['Postgres busy time per delivery', `${pipeline.pgMsPerDelivery} ms`],
      ['sign-up requests/s', `${signup.signupReqPerSec} (${figures.signupRatio} × bare route at ${signup.bareReqPerSec})`],
      ['sign-up p99 latency', `${signup.signupP99Ms} ms`],
    ];
    const width = Math.max(...rows.map(([name]) => name.length));
    for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);

    if (!SMOKE) {
      const command = `npm run bench -- --supporters ${SUPPORTERS} --workers ${WORKERS}`;
      writeFileSync(
        'BENCHMARKS.md',
        [
          '# Benchmarks',
          '',
          `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ` +
            `${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, with \`${command}\`.`,
          'PostgreSQL, Redis and the SMTP sink run on the same machine, over loopback. The ratios are what to',
          'compare over time; absolute figures depend on the machine.',
          '',
          '| figure | value |',
          '|---|---|',
          ...rows.map(([name, value]) => `| ${name} | ${value} |`),
          '',
          'How: the fan-out seeds the supporters in Postgres, then creates and starts a `reply` broadcast through',
          'the API and waits for `completed`, with the worker processes sending to the sink. The ceiling sends',
          'the same number of messages of about the same size straight from nodemailer’s pooled transport',
          '(the same number of connections) to the same sink, with no database or queue. Sign-up is autocannon',
          `(20 connections, ${SIGNUP_SECONDS} s, distinct emails) against the real route and against a bare Fastify route doing one insert.`,
          '',
          `Targets (2-core machine): fan-out ≥ 0.8 × ceiling, first message < 1 s, worker RSS < 200 MB and Redis`,
          `< 150 MB at 1,000,000; sign-up ≥ 0.7 × bare, p99 < 50 ms.`,
          '',
        ].join('\n'),
      );
      log('wrote BENCHMARKS.md');
    }
    console.log(JSON.stringify(figures));
  } finally {
    await app.close();
    await db.close();
    await sink.close();
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    const redis = new Redis(redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  }
}

await main();
