/**
 * `npm run dev` as a newcomer uses it: it comes up, a sign-up's confirmation is readable through the
 * mail catcher's HTTP API, and Ctrl-C (SIGINT to the terminal's process group) stops every process
 * it started, each after a graceful close.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { campaignBody, newOrganiser, openTestDatabase, testEnv, uniqueSuffix, waitForValue } from '../support/harness.js';
import { findFreePort } from '../support/free-port.js';

/** Every process descended from `root`, from the process table. */
function descendantsOf(root: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [pid, ppid] of rows) {
      if (ppid === parent) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let dev: ChildProcess;
let output = '';
let started: number[] = [];
let handle: DatabaseHandle;
let api: string;
let catcher: string;

beforeAll(async () => {
  handle = openTestDatabase();
  const [apiPort, inboundPort, smtpPort, webPort] = await Promise.all([findFreePort(), findFreePort(), findFreePort(), findFreePort()]);
  api = `http://127.0.0.1:${apiPort}`;
  catcher = `http://127.0.0.1:${webPort}`;
  const env = testEnv({
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    PORT: String(apiPort),
    PUBLIC_BASE_URL: api,
    INBOUND_SMTP_PORT: String(inboundPort),
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    MAIL_CATCHER_WEB_PORT: String(webPort),
    REDIS_PREFIX: `${inject('redisPrefix')}-dev-${uniqueSuffix()}`,
  });
  // Its own process group, as a terminal's foreground job has.
  dev = spawn('npm', ['run', 'dev'], { env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  dev.stdout!.on('data', keep);
  dev.stderr!.on('data', keep);
  await waitForValue(
    async () => {
      if (dev.exitCode !== null) throw new Error(`npm run dev exited with ${dev.exitCode}:\n${output}`);
      const ready = await fetch(`${api}/readyz`).then((r) => r.ok, () => false);
      return ready && (await fetch(`${catcher}/api/healthz`).then((r) => r.ok, () => false));
    },
    Boolean,
    'the API and the mail catcher to answer',
    120_000,
  );
  started = descendantsOf(dev.pid!);
}, 150_000);

afterAll(async () => {
  // Whatever the test's outcome, nothing it started is left running.
  const pids = new Set([...started, ...(dev.pid && isAlive(dev.pid) ? [dev.pid, ...descendantsOf(dev.pid)] : [])]);
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  await handle?.close();
});

describe('npm run dev', () => {
  it('runs the service with a mail catcher, and Ctrl-C stops every process it started, each cleanly', async () => {
    expect(started.length).toBeGreaterThanOrEqual(4);
    const organiser = await newOrganiser(handle, 'UNA-UK');
    const created = await fetch(`${api}/api/v1/campaigns`, {
      method: 'POST',
      headers: { ...organiser.auth, 'content-type': 'application/json' },
      body: JSON.stringify(campaignBody()),
    });
    const campaign = (await created.json()) as { id: string; slug: string };
    await fetch(`${api}/api/v1/campaigns/${campaign.id}/publish`, { method: 'POST', headers: organiser.auth });
    const email = `dev-${uniqueSuffix()}@example.org`;
    const signed = await fetch(`${api}/api/v1/campaigns/${campaign.slug}/signatures`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Jane Ó Briain', email, consent: true }),
    });
    expect(signed.status).toBe(202);

    // What the catcher's page lists, read through the API the page itself uses.
    type CaughtMail = { subject: string; to: { address: string }[]; text: string };
    const caught = await waitForValue(
      async () => ((await (await fetch(`${catcher}/api/email`)).json()) as CaughtMail[]).find((m) => m.to.some((t) => t.address === email)),
      Boolean,
      'the confirmation in the mail catcher',
    );
    expect(caught!.subject).toBe(`Please confirm your signature: ${campaignBody().title}`);
    expect(caught!.text).toContain(`${api}/confirm/`);

    process.kill(-dev.pid!, 'SIGINT');
    // npm passes the interrupt on, then ends as an interrupted process does (or with its script's 0).
    const ended = await new Promise<number | string>((resolve) => dev.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
    await waitForValue(() => started.filter(isAlive), (alive) => alive.length === 0, 'every process npm run dev started to exit', 30_000);

    const log = stripVTControlCharacters(output);
    for (const name of ['api', 'worker', 'inbound']) {
      expect(log).toMatch(new RegExp(`^\\[${name}\\s*\\] \\[[\\d:.]+\\] INFO: SIGINT received`, 'm'));
      expect(log).toMatch(new RegExp(`^\\[${name}\\s*\\] \\[[\\d:.]+\\] INFO: shut down cleanly`, 'm'));
    }
    expect(log).not.toContain('again: exiting now');
    expect([0, 'SIGINT'], log).toContain(ended);
  }, 120_000);
});
