import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER, runMigrations } from '../../src/db/migrate.js';
import { databaseUrlFor, uniqueName, withAdminClient } from '../support/global-setup.js';

const created: string[] = [];

async function emptyDatabase(): Promise<string> {
  const name = uniqueName('migrate');
  // Generated from [a-z0-9_] only; identifiers cannot be bound parameters.
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`));
  created.push(name);
  return databaseUrlFor(name);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const name of created) {
    await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
});

describe('migrations', () => {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  };

  it('apply to an empty database, from several processes at once, and are idempotent', async () => {
    const url = await emptyDatabase();
    // Without the advisory lock these would race on CREATE TABLE and all but one would fail.
    await Promise.all([runMigrations(url), runMigrations(url), runMigrations(url)]);
    await runMigrations(url);

    const applied = await query<{ n: string }>(url, 'SELECT count(*) AS n FROM drizzle.__drizzle_migrations');
    expect(Number(applied[0]!.n)).toBe(journal.entries.length);

    const tables = await query<{ table_name: string }>(
      url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.map((t) => t.table_name).sort()).toEqual([
      'api_keys',
      'broadcast_delivery_counts',
      'broadcast_send_seconds',
      'broadcasts',
      'campaign_slugs',
      'campaigns',
      'contacts',
      'deliveries',
      'inbound_messages',
      'organisers',
      'replies',
      'reply_attachments',
      'supporters',
      'suppressions',
      'target_letters',
      'transactional_messages',
    ]);
  });

  it('are in step with src/db/schema.ts (no schema change lacks its migration)', () => {
    // drizzle-kit only takes an --out relative to the project (it prefixes "./").
    mkdirSync('node_modules/.cache', { recursive: true });
    const copy = relative(process.cwd(), mkdtempSync(join('node_modules/.cache', 'migrations-check-')));
    try {
      cpSync(MIGRATIONS_FOLDER, copy, { recursive: true });
      const run = spawnSync(
        process.execPath,
        [
          'node_modules/drizzle-kit/bin.cjs',
          'generate',
          '--dialect=postgresql',
          '--schema=src/db/schema.ts',
          `--out=${copy}`,
        ],
        { encoding: 'utf8' },
      );
      expect(run.status).toBe(0);
      expect(run.stdout + run.stderr).toContain('No schema changes');
      expect(readdirSync(copy).filter((f) => f.endsWith('.sql'))).toHaveLength(journal.entries.length);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
