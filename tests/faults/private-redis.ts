/**
 * A Redis server of the test's own (redis-server from PATH, a free loopback port, a temporary
 * directory, append-only persistence), so a test can kill, restart and flush it while the other test
 * files keep using the machine's shared Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../support/free-port.js';

export interface PrivateRedis {
  url: string;
  /** SIGKILL: no shutdown save; whatever the append-only file holds is what a restart finds. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory, and waits until it answers PING. */
  restart(): Promise<void>;
  /** Sends one command and returns the raw reply line (e.g. FLUSHALL → "+OK"). */
  command(...args: string[]): Promise<string>;
  /** Stops it and removes its directory. */
  destroy(): Promise<void>;
}

const started = new Set<PrivateRedis>();

/**
 * Destroys every private Redis still running: for a file's afterAll, which still runs when a test
 * timed out and its own `finally` never came.
 */
export async function destroyPrivateRedises(): Promise<void> {
  await Promise.all([...started].map((redis) => redis.destroy()));
}

function send(port: number, args: string[]): Promise<string> {
  const request = `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(2_000, () => socket.destroy(new Error('no reply')));
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.split('\r\n')[0]!);
      }
    });
    socket.on('error', reject);
  });
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await findFreePort();
  const dir = mkdtempSync(join(tmpdir(), 'cl-redis-'));
  let child: ChildProcess | undefined;
  // A test process that dies before destroy() must not leave its Redis running on the machine.
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--logfile', join(dir, 'redis.log')],
      { stdio: 'ignore' },
    );
    const exited = new Promise<never>((_, reject) => child!.once('exit', (code) => reject(new Error(`redis-server exited (${code}); see ${dir}/redis.log`))));
    exited.catch(() => undefined);
    const deadline = Date.now() + 10_000;
    for (;;) {
      // Until it has loaded the append-only file it answers -LOADING, not +PONG.
      const reply = await Promise.race([send(port, ['PING']).catch(() => ''), exited]);
      if (reply === '+PONG') return;
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not come up`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };

  await start();
  const redis: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart: start,
    command: (...args) => send(port, args),
    async destroy() {
      started.delete(redis);
      await kill();
      process.removeListener('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  started.add(redis);
  return redis;
}
