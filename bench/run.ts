/**
 * `npm run bench`: throughput, latency and memory of the whole pipeline, measured against the raw
 * SMTP ceiling in the same run on the same machine. Prints a table, writes BENCHMARKS.md, and prints
 * one JSON line with the figures last.
 *
 *   npm run bench                          100,000 supporters, 2 worker processes
 *   npm run bench -- --supporters 1000000
 *   npm run bench -- --smoke               1,000 supporters, short sign-up run, no BENCHMARKS.md
 *   npm run bench -- --signup-only         the sign-up comparison alone
 *   npm run bench -- --profile DIR         V8 CPU profiles of every process, for --cpu-prof analysis
 *
 * Everything talks over loopback to local services: PostgreSQL and Redis from DATABASE_URL and
 * REDIS_URL (a fresh database and key prefix per run, removed afterwards) and an SMTP sink here.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import pg from 'pg';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import { runMigrations } from '../src/db/migrate.js';
import { createOrganiser } from '../src/organisers/organiser-service.js';
import { openDatabase } from '../src/db/client.js';

const { values: args } = parseArgs({
  options: {
    supporters: { type: 'string' },
    workers: { type: 'string', default: '2' },
    smoke: { type: 'boolean', default: false },
    'skip-dkim': { type: 'boolean', default: false },
    profile: { type: 'string' },
    'signup-only': { type: 'boolean', default: false },
  },
});
const SMOKE = args.smoke ?? false;
const SUPPORTERS = Number(args.supporters ?? (SMOKE ? 1_000 : 100_000));
const WORKERS = Number(args.workers);
const SIGNUP_SECONDS = SMOKE ? 2 : 10;
/** The loads (autocannon connections) at which both sign-up routes are measured. */
const SIGNUP_CONNECTIONS = SMOKE ? [20] : [20, 50, 100];
/** The worker's heap bound, as docker-compose.yml starts it. */
const WORKER_NODE_FLAGS = ['--max-old-space-size=128'];
/** `--profile DIR`: the API, bare-route and worker processes write V8 CPU profiles there. */
const NODE_FLAGS = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : [];

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
  let bytes = 0;
  let firstAt = 0;
  let sample: Buffer | undefined;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] | undefined = sample ? undefined : [];
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        chunks?.push(chunk);
      });
      stream.on('end', () => {
        accepted += 1;
        if (firstAt === 0) firstAt = Date.now();
        if (chunks && !sample) sample = Buffer.concat(chunks);
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
      bytes = 0;
      firstAt = 0;
    },
    get accepted() {
      return accepted;
    },
    /** Average size of the messages accepted since the last reset. */
    get averageBytes() {
      return accepted === 0 ? 0 : Math.round(bytes / accepted);
    },
    /** The first message the sink ever accepted, raw. */
    get sample() {
      return sample;
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
    // A send token for every job slot of every worker process, so no process idles while another queues.
    BROADCAST_PARALLELISM: String(WORKERS * 4),
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

/** The compiled services, as production runs them (tsx's transpiler would inflate their memory). */
function spawnNode(script: string, extraEnv: Record<string, string>, sinkUrl: string, nodeFlags: string[] = []): ChildProcess {
  return spawn(process.execPath, [...NODE_FLAGS, ...nodeFlags, script], {
    env: { ...process.env, ...env(sinkUrl, extraEnv) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function stop(children: ChildProcess[]): Promise<void> {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForHttp(url: string): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    try {
      await fetch(url);
      return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up`);
}

/** The API as its own process (`node dist/src/server.js`), so the load generator never shares its event loop. */
async function startApi(sinkUrl: string) {
  const port = await freePort();
  const child = spawnNode('dist/src/server.js', { PORT: String(port) }, sinkUrl);
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/healthz`);
  return { base, child };
}

type Api = Awaited<ReturnType<typeof startApi>>;

async function call<T>(api: Api, auth: Record<string, string>, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${api.base}${path}`, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** CPU time (user + system) a process has used so far, in ms; Linux reports it in 1/100 s. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

const totalCpuMs = (children: ChildProcess[]) => children.reduce((sum, child) => sum + cpuMs(child.pid!), 0);

async function startWorkers(extraEnv: Record<string, string>, sinkUrl: string): Promise<ChildProcess[]> {
  const children = Array.from({ length: WORKERS }, () => spawnNode('dist/workers/index.js', extraEnv, sinkUrl, WORKER_NODE_FLAGS));
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
  averageBytes: number;
  workerCpuMsPerMessage: number;
}

async function fanOut(
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
  try {
    sink.reset();
    const { id: broadcastId } = await call<{ id: string }>(api, auth, 'POST', `/api/v1/campaigns/${campaignId}/broadcasts`, {
      kind: 'reply',
      subject: 'The reply from {{ campaign.target.name }}',
      body: readFileSync('tests/fixtures/government-reply-2014.txt', 'utf8').replace(/[{}%]/g, '') + '\n\nDear {{ supporter.first_name }}, thank you.',
    });
    let redisPeak = 0;
    const busyBefore = await busyTime();
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
      averageBytes: sink.averageBytes,
      workerCpuMsPerMessage: Math.round((workerCpuMs / SUPPORTERS) * 1000) / 1000,
    };
  } finally {
    await stop(workers);
    redis.disconnect();
    await pgStats.end();
  }
}

/**
 * The ceiling: the pipeline's own first message, parsed back and sent again to every address
 * straight from nodemailer's pooled transport, in as many processes and connections as the
 * workers use, with no database, queue or rendering.
 */
async function ceiling(sink: Sink): Promise<{ msgsPerSec: number; averageBytes: number; senderCpuMsPerMessage: number }> {
  const parsed = await PostalMime.parse(sink.sample!);
  const messageFile = join(tmpdir(), `${prefix}-ceiling.json`);
  writeFileSync(
    messageFile,
    JSON.stringify({
      from: { name: parsed.from?.name ?? '', address: parsed.from?.address ?? 'campaigns@example.org' },
      subject: parsed.subject,
      text: parsed.text,
      html: parsed.html,
      unsubscribeUrl: /<([^>]+)>/.exec(parsed.headers.find((h) => h.key === 'list-unsubscribe')?.value ?? '')?.[1] ?? '',
    }),
  );
  sink.reset();
  const share = Math.ceil(SUPPORTERS / WORKERS);
  const senders = Array.from({ length: WORKERS }, (_, i) =>
    spawn(process.execPath, [...NODE_FLAGS, '--import', 'tsx', 'bench/ceiling-sender.ts'], {
      env: {
        ...process.env,
        ...env(sink.url),
        CEILING_MESSAGE_FILE: messageFile,
        CEILING_FIRST: String(i * share),
        CEILING_COUNT: String(Math.max(0, Math.min(share, SUPPORTERS - i * share))),
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    }),
  );
  const said = (child: ChildProcess, what: string) =>
    new Promise<void>((resolve, reject) => {
      child.on('message', (message) => message === what && resolve());
      child.once('exit', (code) => reject(new Error(`a ceiling sender exited with ${code} before '${what}'`)));
    });
  try {
    await Promise.all(senders.map((child) => said(child, 'ready')));
    const start = Date.now();
    const cpuBefore = totalCpuMs(senders);
    for (const child of senders) child.send('go');
    await Promise.all(senders.map((child) => said(child, 'done')));
    return {
      msgsPerSec: Math.round(SUPPORTERS / ((Date.now() - start) / 1000)),
      averageBytes: sink.averageBytes,
      senderCpuMsPerMessage: Math.round(((totalCpuMs(senders) - cpuBefore) / SUPPORTERS) * 1000) / 1000,
    };
  } finally {
    await stop(senders);
    rmSync(messageFile, { force: true });
  }
}

async function loadSignups(url: string, emailPrefix: string, extra: Record<string, unknown>, connections: number) {
  let n = 0;
  // autocannon 9 takes `warmup`; its type definitions predate it.
  const options: autocannon.Options & { warmup: { connections: number; duration: number } } = {
    url,
    method: 'POST',
    connections,
    duration: SIGNUP_SECONDS,
    // Both routes warm up first (JIT, pool connections, Postgres' plans), so that the figure compared
    // is the steady state and not how fast each gets going.
    warmup: { connections, duration: SMOKE ? 1 : 3 },
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ name: `Signer ${++n}`, email: `${emailPrefix}-${connections}-${runId}-${n}@example.org`, ...extra }),
        }),
      },
    ],
  };
  return autocannon(options);
}

interface SignupLoad {
  connections: number;
  signupReqPerSec: number;
  signupP99Ms: number;
  bareReqPerSec: number;
  bareP99Ms: number;
}

/**
 * Each route's capacity: both are loaded at each of SIGNUP_CONNECTIONS in turn (ours, then the bare
 * route, so that a slow patch of the machine hits both), and each route's figure is its best. The
 * bare route peaks at few connections; ours, which makes each sign-up wait for a shared commit,
 * needs more sign-ups in flight to reach its peak.
 */
async function signupBenchmark(api: Api, slug: string) {
  const port = await freePort();
  const bare = spawn(process.execPath, [...NODE_FLAGS, '--import', 'tsx', 'bench/bare-signup-server.ts'], {
    env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const loads: SignupLoad[] = [];
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`);
    for (const connections of SIGNUP_CONNECTIONS) {
      const through = await loadSignups(`${api.base}/api/v1/campaigns/${slug}/signatures`, 'signer', { consent: true }, connections);
      const floor = await loadSignups(`http://127.0.0.1:${port}/signatures`, 'bare', {}, connections);
      const failed = through.non2xx + through.errors + floor.non2xx + floor.errors;
      if (failed > 0) throw new Error(`sign-up benchmark: ${failed} requests failed at ${connections} connections`);
      const load = {
        connections,
        signupReqPerSec: Math.round(through.requests.average),
        signupP99Ms: through.latency.p99,
        bareReqPerSec: Math.round(floor.requests.average),
        bareP99Ms: floor.latency.p99,
      };
      log(`sign-up at ${connections} connections: ${load.signupReqPerSec} requests/s (p99 ${load.signupP99Ms} ms), bare route ${load.bareReqPerSec} (p99 ${load.bareP99Ms} ms)`);
      loads.push(load);
    }
  } finally {
    await stop([bare]);
  }
  const best = (figure: 'signupReqPerSec' | 'bareReqPerSec') => loads.reduce((a, b) => (b[figure] > a[figure] ? b : a));
  const ours = best('signupReqPerSec');
  return { loads, signupReqPerSec: ours.signupReqPerSec, signupP99Ms: ours.signupP99Ms, signupConnections: ours.connections, bareReqPerSec: best('bareReqPerSec').bareReqPerSec };
}

/**
 * Each size has its own section of BENCHMARKS.md between markers, so a run at 1,000,000 keeps the
 * one at 100,000 and the prose around them.
 */
function writeBenchmarkSection(size: number, section: string) {
  const begin = `<!-- bench:${size} -->`;
  const end = `<!-- /bench:${size} -->`;
  const current = existsSync('BENCHMARKS.md') ? readFileSync('BENCHMARKS.md', 'utf8') : '# Benchmarks\n';
  const block = `${begin}\n${section}\n${end}`;
  const at = current.indexOf(begin);
  const next = at >= 0 ? current.slice(0, at) + block + current.slice(current.indexOf(end) + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync('BENCHMARKS.md', next);
}

async function main() {
  log(`benchmark: ${SUPPORTERS.toLocaleString('en-GB')} supporters, ${WORKERS} worker processes${SMOKE ? ' (smoke)' : ''}`);
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  await admin((client) => client.query(`CREATE DATABASE ${database}`));
  const sink = await startSink();
  await runMigrations(dbUrl);
  const api = await startApi(sink.url);
  const db = openDatabase(dbUrl, { poolSize: 2 });
  try {
    const organiser = await createOrganiser(db.db, { email: `bench-${runId}@example.org`, name: 'Benchmark' });
    const auth = { authorization: `Bearer ${organiser.apiKey}` };
    const campaign = await call<{ id: string; slug: string }>(api, auth, 'POST', '/api/v1/campaigns', {
      slug: `bench-${runId.replace(/_/g, '-')}`,
      title: 'The Responsibility to Protect',
      letter: { subject: 'The Responsibility to Protect', body: 'Dear Secretary of State,\n\nYours sincerely,\n{{ supporter.name }}' },
      target: { name: 'Rt Hon William Hague MP', email: 'fs@fco.gov.example' },
      sender: { name: 'United Nations Association – UK', email: 'campaigns@una.org.example' },
    });
    await call(api, auth, 'POST', `/api/v1/campaigns/${campaign.id}/publish`);
    if (args['signup-only']) {
      // For working on sign-up alone: no fan-out, no BENCHMARKS.md, the sign-up figures only.
      console.log(JSON.stringify(await signupBenchmark(api, campaign.slug)));
      return;
    }
    const seedMs = await seed(db, campaign.id);
    log(`seeded in ${seedMs} ms`);

    const pipeline = await fanOut('fan-out', api, auth, campaign.id, sink);
    const { msgsPerSec: ceilingMsgsPerSec, averageBytes: ceilingBytes, senderCpuMsPerMessage } = await ceiling(sink);
    let dkim: FanOut | undefined;
    if (!args['skip-dkim']) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      dkim = await fanOut('fan-out with DKIM', api, auth, campaign.id, sink, {
        DKIM_DOMAIN: 'example.org',
        DKIM_SELECTOR: 'bench',
        DKIM_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().replace(/\n/g, '\\n'),
      });
    }
    const signup = await signupBenchmark(api, campaign.slug);

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
      ['average message size, fan-out / ceiling', `${pipeline.averageBytes} / ${ceilingBytes} bytes`],
      ['CPU per message, worker / ceiling sender', `${pipeline.workerCpuMsPerMessage} / ${senderCpuMsPerMessage} ms`],
      ['fan-out with DKIM messages/s', dkim ? `${dkim.msgsPerSec} (${Math.round((dkim.msgsPerSec / ceilingMsgsPerSec) * 100) / 100} × ceiling)` : 'skipped'],
      ['first message accepted after start', `${pipeline.firstDeliveryMs} ms`],
      ['total time', `${(pipeline.totalMs / 1000).toFixed(1)} s`],
      ['worker peak RSS (largest process)', `${pipeline.workerPeakRssMb} MB`],
      ['Redis peak used_memory', `${pipeline.redisPeakMb} MB`],
      ['Postgres busy time per delivery', `${pipeline.pgMsPerDelivery} ms`],
      ['sign-up requests/s, best', `${signup.signupReqPerSec} (${figures.signupRatio} × bare route at ${signup.bareReqPerSec}), at ${signup.signupConnections} connections`],
      ['sign-up p99 latency at that load', `${signup.signupP99Ms} ms`],
      ...signup.loads.map(
        (load): [string, string] => [
          `sign-up at ${load.connections} connections, ours / bare`,
          `${load.signupReqPerSec} / ${load.bareReqPerSec} requests/s (${Math.round((load.signupReqPerSec / load.bareReqPerSec) * 100) / 100}), p99 ${load.signupP99Ms} / ${load.bareP99Ms} ms`,
        ],
      ),
    ];
    const width = Math.max(...rows.map(([name]) => name.length));
    for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);

    if (!SMOKE) {
      const command = `npm run bench -- --supporters ${SUPPORTERS} --workers ${WORKERS}${args['skip-dkim'] ? ' --skip-dkim' : ''}`;
      const section = [
        `## ${SUPPORTERS.toLocaleString('en-GB')} supporters`,
        '',
        `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ` +
          `${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, with \`${command}\`.`,
        '',
        '| figure | value |',
        '|---|---|',
        ...rows.map(([name, value]) => `| ${name} | ${value} |`),
      ].join('\n');
      writeBenchmarkSection(SUPPORTERS, section);
      log('wrote its section of BENCHMARKS.md');
    }
    console.log(JSON.stringify(figures));
  } finally {
    await stop([api.child]);
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
