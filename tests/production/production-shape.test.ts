/**
 * The service as the image runs it. No Docker engine runs in CI, so this builds what the image holds
 * by replaying the Dockerfile (npm ci, build, dev dependencies pruned, migrations beside dist/) in a
 * temporary directory, then starts each docker-compose.yml service's own command, with the compose
 * environment, against a fresh database, a Redis prefix of its own and an SMTP sink, and drives one
 * campaign through the compiled processes: sign-ups, the letter to the target, the official reply by
 * SMTP, and its forward to every supporter. A runtime import left among the dev dependencies, a
 * compose command pointing at a file the build does not produce, or a migration the image lacks all
 * fail here, as they would on `docker compose up`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readComposeServices, type ComposeService } from '../support/compose-services.js';
import { databaseUrlFor, withAdminClient } from '../support/admin-database.js';
import { buildImageFilesystem, type ImageFilesystem } from '../support/image-build.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../support/smtp-sink.js';
import { findFreePort } from '../support/free-port.js';

const REPO = new URL('../../', import.meta.url).pathname;
const FIXTURE = await readFile(new URL('../fixtures/government-reply-2014.eml', import.meta.url), 'utf8');
const OFFICIAL = 'conflict.department@fco.example.gov.uk';

interface RunningService {
  name: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

let buildDir: string;
let image: ImageFilesystem;
let services: ComposeService[];
let sink: SmtpSink;
let database: string;
let overrides: Record<string, string>;
const running: RunningService[] = [];

/** A container's environment: the image's ENV, the service's compose environment, the test's pointers. */
function containerEnv(service: ComposeService): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', ...image.env, ...service.environment, ...overrides };
}

/** Runs a compose command in the image's working directory; `node` is this Node. */
function argv(command: string[]): [string, string[]] {
  const [program, ...args] = command;
  return [program === 'node' ? process.execPath : program!, args];
}

function startService(service: ComposeService): RunningService {
  const [program, args] = argv(service.command);
  const child = spawn(program, args, { cwd: image.workdir, env: containerEnv(service), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const started = { name: service.name, child, output: () => output, exited };
  running.push(started);
  return started;
}

/** Polls `probe` until it answers true; fails at once, with its output, if the service exits first. */
async function waitForService(service: RunningService, what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  let exitCode: number | null | undefined;
  void service.exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`${service.name} exited with ${exitCode} before ${what}:\n${service.output()}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${service.name}: timed out waiting for ${what}:\n${service.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits for a mail at the sink; a service that has exited meanwhile fails it at once, with its output. */
async function waitForMail(what: string, predicate: (mail: ReceivedMail) => boolean, timeoutMs = 90_000): Promise<ReceivedMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = sink.received.find(predicate);
    if (found) return found;
    const dead = running.find((service) => service.name !== 'migrate' && service.child.exitCode !== null);
    if (dead) throw new Error(`${dead.name} exited with ${dead.child.exitCode} before ${what} arrived:\n${dead.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${running.map((s) => `--- ${s.name}\n${s.output()}`).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Every service still up gets SIGTERM, then SIGKILL if it lingers: nothing outlives the test. */
async function stopAll(): Promise<void> {
  await Promise.all(
    running.map(async (service) => {
      if (service.child.exitCode !== null || service.child.signalCode !== null) return;
      service.child.kill('SIGTERM');
      const stopped = await Promise.race([service.exited.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 10_000))]);
      if (!stopped) service.child.kill('SIGKILL');
      await service.exited;
    }),
  );
}
// Should the test process itself be torn down, its children go with it.
const killOnExit = () => running.forEach((service) => service.child.kill('SIGKILL'));
process.on('exit', killOnExit);

beforeAll(async () => {
  const started = Date.now();
  buildDir = await mkdtemp(join(tmpdir(), 'cl-image-'));
  [services, sink] = await Promise.all([readComposeServices(join(REPO, 'docker-compose.yml')), startSmtpSink()]);
  database = `cl_prod_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  // Identifiers cannot be bound parameters; the name is generated above from [a-z0-9_] only.
  await withAdminClient((client) => client.query(`CREATE DATABASE ${database}`));
  const [apiPort, inboundPort] = await Promise.all([findFreePort(), findFreePort()]);
  overrides = {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrlFor(database),
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: `${inject('redisPrefix')}-image`,
    SMTP_URL: sink.url,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    PUBLIC_BASE_URL: `http://127.0.0.1:${apiPort}`,
    INBOUND_SMTP_HOST: '127.0.0.1',
    INBOUND_SMTP_PORT: String(inboundPort),
  };
  // The local npm cache stands in for the registry: the lockfile's packages, not a network round trip each.
  image = await buildImageFilesystem({
    dockerfile: join(REPO, 'Dockerfile'),
    context: REPO,
    into: buildDir,
    buildEnv: { npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' },
  });
  console.info(`image built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${image.steps.join('; ')}`);
}, 900_000);

afterAll(async () => {
  await stopAll();
  process.off('exit', killOnExit);
  await sink?.close();
  if (database) await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
}, 60_000);

describe('the image, run as docker-compose.yml runs it', () => {
  it('builds with NODE_ENV=production, and each service of ours has its own command', () => {
    expect(image.env.NODE_ENV).toBe('production');
    expect(services.map((s) => s.name).sort()).toEqual(['api', 'inbound', 'migrate', 'worker']);
    expect(services[0]).toMatchObject({ name: 'migrate', oneShot: true });
    // The reply below is trusted without DNS only because compose turns the DMARC requirement off.
    expect(services.every((s) => s.environment.INBOUND_REQUIRE_DMARC === 'false')).toBe(true);
  });

  it('migrates, signs up two supporters, delivers the letter, and forwards the official reply with its PDF', async () => {
    const byName = (name: string) => services.find((s) => s.name === name)!;
    const base = overrides.PUBLIC_BASE_URL!;

    // migrate: the one-shot the others wait for.
    const migrate = startService(byName('migrate'));
    const migrated = await migrate.exited;
    expect(migrated, migrate.output()).toBe(0);
    expect(migrate.output()).toContain('migrations applied');

    const api = startService(byName('api'));
    const inbound = startService(byName('inbound'));
    const worker = startService(byName('worker'));
    await waitForService(api, 'GET /readyz to answer 200', async () => (await fetch(`${base}/readyz`)).status === 200);
    await waitForService(inbound, 'its SMTP port to accept connections', () => accepts(Number(overrides.INBOUND_SMTP_PORT)));

    // The organiser, from the compiled CLI, as `docker compose exec api node dist/src/cli/index.js` runs it.
    const [node, cliArgs] = argv(['node', 'dist/src/cli/index.js', 'create-organiser', '--email', 'campaigns@una.org.example', '--name', 'UNA-UK']);
    const cli = spawnSync(node, cliArgs, { cwd: image.workdir, env: containerEnv(byName('api')), encoding: 'utf8', timeout: 30_000 });
    expect(cli.status, cli.stderr).toBe(0);
    const { apiKey } = JSON.parse(cli.stdout) as { apiKey: string };
    const auth = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, { method, headers: body === undefined ? { authorization: auth.authorization } : auth, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };

    const target = 'foreign.secretary@fco.gov.example';
    const created = await call('POST', '/api/v1/campaigns', {
      slug: 'responsibility-to-protect',
      title: 'The Responsibility to Protect',
      summary: 'Ask the Foreign Secretary to strengthen the UK’s work on preventing mass atrocities.',
      letter: { subject: 'The Responsibility to Protect', body: 'Dear Secretary of State,\n\nWe write about the Responsibility to Protect.\n\nYours sincerely,\n{{ supporter.name }}' },
      target: { name: 'Rt Hon William Hague MP', email: target, address: 'Foreign and Commonwealth Office\nKing Charles Street\nLondon SW1A 2AH' },
      sender: { name: 'United Nations Association – UK', email: 'campaigns@una.org.example' },
      // The fixture reply comes from the Foreign Office's domain.
      replyPolicy: { mode: 'auto', allowedSenders: ['fco.example.gov.uk'] },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const campaign = created.json as { id: string; slug: string; replyAddress: string };
    expect((await call('POST', `/api/v1/campaigns/${campaign.id}/publish`)).json.status).toBe('open');

    const supporters = [
      { name: 'Jane Ó Briain', email: 'jane@example.org' },
      { name: 'Sam Okafor', email: 'sam@example.org' },
    ];
    for (const supporter of supporters) {
      const signed = await fetch(`${base}/api/v1/campaigns/${campaign.slug}/signatures`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...supporter, consent: true }),
      });
      expect(signed.status).toBe(202);
    }
    for (const supporter of supporters) {
      const confirmation = await waitForMail(`the confirmation to ${supporter.email}`, (m) => m.envelopeTo.includes(supporter.email) && m.parsed.subject!.startsWith('Please confirm'));
      const link = new RegExp(`${base.replace(/[.:/]/g, '\\$&')}(/confirm/[A-Za-z0-9_\\-/]+)`).exec(confirmation.parsed.text!);
      expect(link, confirmation.parsed.text).not.toBeNull();
      const confirmed = await fetch(`${base}${link![1]}`, { method: 'POST' });
      expect(confirmed.status).toBe(200);
    }
    const list = await call('GET', `/api/v1/campaigns/${campaign.id}/supporters?status=confirmed`);
    expect((list.json.items as { email: string }[]).map((s) => s.email).sort()).toEqual(['jane@example.org', 'sam@example.org']);

    // The letter to the target, as one bundle with the signatories attached (pdfkit runs in the worker).
    const delivered = await call('POST', `/api/v1/campaigns/${campaign.id}/deliver-letter`, { mode: 'bundle' });
    expect(delivered.status, JSON.stringify(delivered.json)).toBe(202);
    const bundle = await waitForMail('the letter to the target', (m) => m.envelopeTo.includes(target));
    expect(bundle.parsed.replyTo?.[0]?.address).toBe(campaign.replyAddress);
    expect(bundle.parsed.text).toContain('signed by 2 supporters');
    expect(bundle.parsed.attachments.map((a) => a.filename).sort()).toEqual(['letter-and-signatories.pdf', 'signatories.csv']);

    // The official reply, by SMTP to the inbound listener (postal-mime and mailauth run there and in the worker).
    const [local, domain] = campaign.replyAddress.split('@');
    expect(local).toMatch(/^reply\+/);
    expect(domain).toBe(byName('inbound').environment.INBOUND_DOMAIN);
    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: Number(overrides.INBOUND_SMTP_PORT), secure: false, ignoreTLS: true });
    try {
      const accepted = await smtp.sendMail({ envelope: { from: OFFICIAL, to: [campaign.replyAddress] }, raw: FIXTURE });
      expect(accepted.response).toMatch(/^250 /);
    } finally {
      smtp.close();
    }
    const isForward = (m: ReceivedMail) => m.parsed.attachments.some((a) => a.filename === 'MIN-66425-2014.pdf');
    for (const supporter of supporters) {
      const forward = await waitForMail(`the reply forwarded to ${supporter.email}`, (m) => m.envelopeTo.includes(supporter.email) && isForward(m));
      expect(forward.parsed.subject).toBe('The reply to “The Responsibility to Protect”');
      expect(forward.parsed.text).toContain('A copy of this letter has been emailed to your members');
      const pdf = forward.parsed.attachments.find((a) => a.filename === 'MIN-66425-2014.pdf')!;
      expect(pdf.mimeType).toBe('application/pdf');
    }
    const replies = await call('GET', `/api/v1/campaigns/${campaign.id}/replies`);
    expect(replies.json.items).toMatchObject([{ status: 'forwarded', trusted: true }]);

    // Every service is still up: none fell over on the way.
    for (const service of [api, inbound, worker]) expect(service.child.exitCode, `${service.name}:\n${service.output()}`).toBeNull();
  }, 300_000);
});
