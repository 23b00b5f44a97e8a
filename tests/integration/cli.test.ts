import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startApp, testEnv, uniqueSuffix } from '../support/harness.js';

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
    env: { ...process.env, ...testEnv() },
    encoding: 'utf8',
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

let app: FastifyInstance;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app.close());

describe('npm run cli -- create-organiser', () => {
  it('prints one JSON line with the id and an API key that works', async () => {
    const email = `cli-${uniqueSuffix()}@example.org`;
    const run = cli('create-organiser', '--email', email, '--name', 'UNA-UK');
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const created = JSON.parse(lines[0]!) as { id: string; apiKey: string };
    expect(Object.keys(created)).toEqual(['id', 'apiKey']);

    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/campaigns',
      headers: { authorization: `Bearer ${created.apiKey}` },
    });
    expect(response.statusCode).toBe(200);

    const again = cli('create-organiser', '--email', email.toUpperCase(), '--name', 'Someone else');
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr.trim()).toBe('--email: An organiser with this email already exists');
  });

  it('issues a second key and revokes the first by its prefix', async () => {
    const email = `cli-${uniqueSuffix()}@example.org`;
    const first = JSON.parse(cli('create-organiser', '--email', email, '--name', 'Rotating').stdout) as { apiKey: string };
    const second = JSON.parse(cli('create-api-key', '--email', email).stdout) as { apiKey: string };
    expect(second.apiKey).not.toBe(first.apiKey);

    const revoked = cli('revoke-api-key', '--prefix', first.apiKey.slice(0, 12));
    expect(JSON.parse(revoked.stdout)).toEqual({ revoked: 1 });
    const status = async (key: string) =>
      (await app.inject({ method: 'GET', url: '/api/v1/campaigns', headers: { authorization: `Bearer ${key}` } })).statusCode;
    expect(await status(first.apiKey)).toBe(401);
    expect(await status(second.apiKey)).toBe(200);
  });

  it('makes the organiser’s address its first user, an owner, and create-user adds more', async () => {
    const email = `cli-${uniqueSuffix()}@example.org`;
    const organiser = JSON.parse(cli('create-organiser', '--email', email, '--name', 'UNA-UK').stdout) as { id: string };
    const colleague = `Colleague-${uniqueSuffix()}@Example.org`;
    const run = cli('create-user', '--organiser-email', email.toUpperCase(), '--email', colleague, '--role', 'editor');
    expect(run.code, run.stderr).toBe(0);
    const created = JSON.parse(run.stdout) as Record<string, string>;
    expect(created).toEqual({ id: created.id, organiserId: organiser.id, email: colleague.toLowerCase(), role: 'editor' });

    const again = cli('create-user', '--organiser-email', email, '--email', colleague.toUpperCase(), '--role', 'owner');
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe('--email: Someone with this email address can already sign in');
    const { rows } = await app.pgPool.query('SELECT email, role FROM users WHERE organiser_id = $1 ORDER BY created_at', [organiser.id]);
    expect(rows).toEqual([
      { email, role: 'owner' },
      { email: colleague.toLowerCase(), role: 'editor' },
    ]);
    // Three CLI processes, each compiling the sources with tsx: slow on a busy machine.
  }, 60_000);

  it.each([
    [['create-user', '--organiser-email', 'nobody-here@example.org', '--email', 'u@example.org', '--role', 'owner'], 1, '--organiser-email: No organiser with this email'],
    [['create-user', '--organiser-email', 'a@example.org', '--email', 'u@example.org', '--role', 'admin'], 1, '--role: Choose owner or editor'],
    [['create-organiser', '--email', 'not-an-email', '--name', 'X'], 1, '--email: Invalid email address'],
    [['create-organiser', '--email', 'a@example.org', '--name', '  '], 1, '--name:'],
    [['create-organiser', '--email', 'a@example.org', '--name', 'X', '--admin'], 2, "Unknown option '--admin'"],
    [['create-api-key', '--email', 'nobody-here@example.org'], 1, '--email: No organiser with this email'],
    [['launch-rockets'], 2, 'unknown command "launch-rockets"'],
  ])('refuses %j with exit %i and a clear message', (args, code, message) => {
    const run = cli(...args);
    expect(run.code).toBe(code);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
  });
});
