import { describe, expect, it } from 'vitest';
import { startEntryPoint } from '../support/start-entry.js';

const start = startEntryPoint;

describe('start-up with a service down', () => {
  it('names the Postgres URL without its password, and says how to start it', () => {
    const run = start('src/server.ts', { DATABASE_URL: 'postgres://campaigns:hunter2@127.0.0.1:1/campaign_letters' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "Cannot reach PostgreSQL at postgres://campaigns:***@127.0.0.1:1/campaign_letters (ECONNREFUSED). Start it (e.g. 'docker compose up -d postgres') or set DATABASE_URL.",
    );
  });

  it('names the Redis URL without its password, and says how to start it', () => {
    const run = start('workers/index.ts', { REDIS_URL: 'redis://:hunter2@127.0.0.1:1' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "Cannot reach Redis at redis://:***@127.0.0.1:1 (ECONNREFUSED). Start it (e.g. 'docker compose up -d redis') or set REDIS_URL.",
    );
  });

  it('stops the API on a missing variable with one line naming it', () => {
    const run = start('src/server.ts', { SMTP_URL: '' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('Configuration error: SMTP_URL is missing. See .env.example.');
  });
});
