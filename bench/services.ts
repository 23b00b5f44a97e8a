/**
 * The service under test as production runs it: the compiled API and worker processes (tsx's
 * transpiler would inflate their memory), configured for this run's database, prefix and sink.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { dbUrl, NODE_FLAGS, prefix, redisUrl, SMOKE, WORKER_NODE_FLAGS, WORKERS } from './options.js';

export function serviceEnv(sinkUrl: string, extra: Record<string, string> = {}): Record<string, string> {
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

function spawnNode(script: string, extraEnv: Record<string, string>, sinkUrl: string, nodeFlags: string[] = []): ChildProcess {
  return spawn(process.execPath, [...NODE_FLAGS, ...nodeFlags, script], {
    env: { ...process.env, ...serviceEnv(sinkUrl, extraEnv) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Child processes a benchmark spawns that run TypeScript (tsx), with the run's profiling flags. */
export function spawnTsx(script: string, env: Record<string, string>, stdio: 'ipc' | 'no-ipc' = 'no-ipc'): ChildProcess {
  return spawn(process.execPath, [...NODE_FLAGS, '--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: stdio === 'ipc' ? ['ignore', 'ignore', 'inherit', 'ipc'] : ['ignore', 'ignore', 'inherit'],
  });
}

export async function stop(children: ChildProcess[]): Promise<void> {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function waitForHttp(url: string): Promise<void> {
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
export async function startApi(sinkUrl: string) {
  const port = await freePort();
  const child = spawnNode('dist/src/server.js', { PORT: String(port) }, sinkUrl);
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/healthz`);
  return { base, child };
}

export type Api = Awaited<ReturnType<typeof startApi>>;

export async function call<T>(api: Api, auth: Record<string, string>, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${api.base}${path}`, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export async function startWorkers(extraEnv: Record<string, string>, sinkUrl: string): Promise<ChildProcess[]> {
  const children = Array.from({ length: WORKERS }, () => spawnNode('dist/workers/index.js', extraEnv, sinkUrl, WORKER_NODE_FLAGS));
  // Ready when each has connected to Redis as a BullMQ worker; a short settle is enough here.
  await new Promise((resolve) => setTimeout(resolve, SMOKE ? 2_500 : 4_000));
  return children;
}
