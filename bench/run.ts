/**
 * `npm run bench`: throughput, latency and memory of the whole pipeline, measured against the raw
 * SMTP limit and the nodemailer ceiling in the same run on the same machine. Prints a table, writes BENCHMARKS.md, and prints
 * one JSON line with the figures last.
 *
 *   npm run bench                          100,000 supporters, 2 worker processes
 *   npm run bench -- --supporters 1000000
 *   npm run bench -- --smoke               1,000 supporters, short sign-up run, no BENCHMARKS.md
 *   npm run bench -- --signup-only         the sign-up comparison alone
 *   npm run bench -- --fan-out-only        the unsigned fan-out and the raw SMTP limit alone, no BENCHMARKS.md
 *   npm run bench -- --profile DIR         V8 CPU profiles of every process, for --cpu-prof analysis
 *
 * Everything talks over loopback to local services: PostgreSQL and Redis from DATABASE_URL and
 * REDIS_URL (a fresh database and key prefix per run, removed afterwards) and an SMTP sink here.
 * The parts: options.ts (arguments, names), services.ts (the API and workers), fan-out.ts,
 * nodemailer-ceiling.ts and raw-smtp-limit.ts (over sender-processes.ts), signup-load.ts and report.ts.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import type pg from 'pg';
import { openDatabase } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { createOrganiser } from '../src/organisers/organiser-service.js';
import { deleteRedisKeys } from '../scripts/delete-redis-keys.js';
import { withAdminClient } from '../scripts/throwaway-database.js';
import { startSink } from './counting-sink.js';
import { fanOut, seed, type FanOut } from './fan-out.js';
import { ceiling } from './nodemailer-ceiling.js';
import { rawSmtpLimit } from './raw-smtp-limit.js';
import { database, dbUrl, FAN_OUT_ONLY, log, prefix, redisUrl, runId, serverUrl, SIGNUP_ONLY, SKIP_DKIM, SMOKE, SUPPORTERS, WORKERS } from './options.js';
import { report } from './report.js';
import { call, startApi, stop } from './services.js';
import { signupBenchmark } from './signup-load.js';

const admin = <T>(use: (client: pg.Client) => Promise<T>) => withAdminClient(serverUrl, use);

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
    if (SIGNUP_ONLY) {
      // For working on sign-up alone: no fan-out, no BENCHMARKS.md, the sign-up figures only.
      console.log(JSON.stringify(await signupBenchmark(api, campaign.slug)));
      return;
    }
    const seedMs = await seed(db, campaign.id);
    log(`seeded in ${seedMs} ms`);

    const pipeline = await fanOut('fan-out', api, auth, campaign.id, sink);
    if (FAN_OUT_ONLY) {
      // For working on the send path: its figures against the raw limit, nothing else.
      const raw = await rawSmtpLimit(sink);
      console.log(JSON.stringify({ ...pipeline, rawSmtpMsgsPerSec: raw.msgsPerSec, fanoutVsRaw: Math.round((pipeline.msgsPerSec / raw.msgsPerSec) * 100) / 100 }));
      return;
    }
    const ceilingFigures = await ceiling(sink);
    const raw = await rawSmtpLimit(sink);
    let dkim: FanOut | undefined;
    if (!SKIP_DKIM) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      dkim = await fanOut('fan-out with DKIM', api, auth, campaign.id, sink, {
        DKIM_DOMAIN: 'example.org',
        DKIM_SELECTOR: 'bench',
        DKIM_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().replace(/\n/g, '\\n'),
      });
    }
    const signup = await signupBenchmark(api, campaign.slug);
    report({ pipeline, ceiling: ceilingFigures, raw, dkim, signup });
  } finally {
    await stop([api.child]);
    await db.close();
    await sink.close();
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    await deleteRedisKeys(redisUrl, prefix);
  }
}

await main();
