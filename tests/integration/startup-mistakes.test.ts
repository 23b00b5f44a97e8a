/**
 * The mistakes a newcomer makes on a first start, made with the real entry points (as `npm start`,
 * `npm run worker` and `npm run inbound` run them): each must end the process with one line saying
 * what to do, and a non-zero exit. spawnSync's timeout turns a process that never exits into a failure.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileDatabaseUrl, testEnv } from '../support/harness.js';
import { startEntryPoint } from '../support/start-entry.js';
import { findFreePort } from '../support/free-port.js';

const start = startEntryPoint;

async function listenAnywhere(): Promise<Server> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

describe('a port already in use', () => {
  let taken: Server;
  let port: number;
  beforeAll(async () => {
    taken = await listenAnywhere();
    port = (taken.address() as { port: number }).port;
  });
  afterAll(() => new Promise((resolve) => taken.close(resolve)));

  const message = (variable: string) =>
    `Port ${port} on 127.0.0.1 is already in use (${variable}). Stop the process using it (e.g. 'lsof -i :${port}') or set ${variable} to a free port.`;

  it('stops the API with one line naming PORT, and the process exits', () => {
    const run = start('src/server.ts', { PORT: String(port) });
    expect(run).toEqual({ code: 1, stderr: message('PORT') });
  });

  it('stops the inbound listener with one line naming INBOUND_SMTP_PORT', () => {
    const run = start('src/inbound/main.ts', { INBOUND_SMTP_PORT: String(port) });
    expect(run).toEqual({ code: 1, stderr: message('INBOUND_SMTP_PORT') });
  });

  it('stops a worker with one line naming METRICS_PORT', () => {
    const run = start('workers/index.ts', { METRICS_PORT: String(port) });
    expect(run).toEqual({ code: 1, stderr: message('METRICS_PORT') });
  });
});

describe('other first-start mistakes', () => {
  it('says a database that does not exist is missing, and how to create it, without the password', () => {
    const url = new URL(fileDatabaseUrl());
    url.username = 'postgres';
    url.password = 'hunter2';
    url.pathname = '/campaign_letters_not_created';
    const run = start('src/server.ts', { DATABASE_URL: url.toString() });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `PostgreSQL at postgres://postgres:***@${url.host}/campaign_letters_not_created has no database "campaign_letters_not_created" (DATABASE_URL). ` +
        `Create it with 'createdb -h ${url.hostname} -p ${url.port || '5432'} -U postgres campaign_letters_not_created', then run 'npm run migrate'.`,
    );
  });

  it('reports every missing or invalid setting in one start', () => {
    const run = start('workers/index.ts', { SMTP_URL: '', MAIL_FROM: 'campaigns', METRICS_PORT: 'ninety' });
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^Configuration errors \(3\): /);
    for (const variable of ['SMTP_URL is missing', 'MAIL_FROM is invalid', 'METRICS_PORT is invalid: must be a port number']) {
      expect(run.stderr).toContain(variable);
    }
  });
});

describe('a running process', () => {
  it("a worker serves /metrics on METRICS_PORT, logs at info that it is ready, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/index.ts'], {
      env: { ...process.env, ...testEnv({ LOG_LEVEL: 'info', METRICS_PORT: '0' }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let metricsPort: number | undefined;
      for await (const line of createInterface({ input: child.stdout })) {
        const entry = JSON.parse(line) as { msg: string; metricsPort?: number };
        if (entry.msg === 'workers ready') {
          metricsPort = entry.metricsPort;
          break;
        }
      }
      expect(metricsPort).toBeGreaterThan(0);
      const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain('# TYPE campaign_letters_smtp_replies_total counter');
      expect(text).toContain('# TYPE campaign_letters_smtp_send_duration_seconds histogram');
      expect(text).toContain('# TYPE campaign_letters_inbound_processed_total counter');
      expect(text).toContain('process_cpu_user_seconds_total');
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('the API logs requests at info, but probes (/healthz, /readyz, /metrics) only at debug', async () => {
    const port = await findFreePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, ...testEnv({ LOG_LEVEL: 'info', PORT: String(port) }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const urls: string[] = [];
    const lines = createInterface({ input: child.stdout });
    const listening = new Promise<void>((resolve) =>
      lines.on('line', (line) => {
        const entry = JSON.parse(line) as { msg: string; req?: { url: string } };
        if (entry.req) urls.push(entry.req.url);
        if (entry.msg.startsWith('Server listening')) resolve();
      }),
    );
    try {
      await listening;
      for (const path of ['/healthz', '/readyz', '/metrics', '/api/v1/campaigns']) await fetch(`http://127.0.0.1:${port}${path}`);
      child.kill('SIGTERM');
      await once(child, 'exit');
      expect(urls).toEqual(['/api/v1/campaigns']);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
