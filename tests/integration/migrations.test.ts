import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER, runMigrations } from '../../src/db/migrate.js';
import { databaseUrlFor, withAdminClient } from '../support/admin-database.js';
import { uniqueName } from '../support/global-setup.js';

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
      'broadcast_actions',
      'broadcast_delivery_counts',
      'broadcast_send_seconds',
      'broadcasts',
      'campaign_slugs',
      'campaigns',
      'contacts',
      'deliveries',
      'delivery_reports',
      'inbound_messages',
      'organiser_logos',
      'organisers',
      'replies',
      'reply_attachments',
      'sessions',
      'sign_in_links',
      'supporters',
      'suppression_removals',
      'suppressions',
      'target_letters',
      'transactional_message_counts',
      'transactional_messages',
      'users',
      'worker_processes',
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

/** A copy of migrations/ that stops before `tag`: the database as it was before that migration. */
function migrationsBefore(tag: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'migrations-before-'));
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((entry) => entry.tag.endsWith(tag));
  expect(at).toBeGreaterThan(0);
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
  return folder;
}

describe('contacts stored before addresses were lower-cased whole', () => {
  it('are merged into one contact per address, keeping every campaign signed, the better of two signatures and any unsubscribe', async () => {
    const url = await emptyDatabase();
    const before = migrationsBefore('_reconcile_contact_email_case');
    try {
      await runMigrations(url, before);
    } finally {
      rmSync(before, { recursive: true, force: true });
    }
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const one = async (text: string, values: unknown[] = []) => (await client.query(text, values)).rows[0];
      const organiser = (await one("INSERT INTO organisers (email, name) VALUES ('org@example.org', 'Org') RETURNING id")).id;
      const campaign = async (slug: string, supporterCount: number) =>
        (
          await one(
            `INSERT INTO campaigns (organiser_id, slug, title, letter_subject, letter_body, target_name, target_email, sender_name, sender_email, reply_token, status, supporter_count)
             VALUES ($1, $2, 'T', 'S', 'B', 'Target', 'target@example.org', 'Org', 'org@example.org', $2, 'open', $3) RETURNING id`,
            [organiser, slug, supporterCount],
          )
        ).id;
      const all = await campaign('all-signed', 3);
      const onlyUpper = await campaign('only-upper', 1);
      // As the old code stored them: the local part as typed, the domain lower-cased.
      const contact = async (email: string, createdAt: string) =>
        (await one('INSERT INTO contacts (email, name, created_at) VALUES ($1, $2, $3) RETURNING id', [email, email, createdAt])).id;
      const lower = await contact('jane.doe@example.org', '2026-01-01');
      const upper = await contact('JANE.DOE@example.org', '2026-01-02');
      const mixed = await contact('Jane.Doe@example.org', '2026-01-03');
      const alone = await contact('Sam.Roe@example.org', '2026-01-04');
      // Never accepted by the sign-up (z.email() is ASCII only): a row written by hand.
      const accented = await contact('ÉLODIE@example.org', '2026-01-05');
      const signature = async (campaignId: string, contactId: string, status: string, unsubscribedAt: string | null) =>
        (
          await one(
            `INSERT INTO supporters (campaign_id, contact_id, name, status, consent_statement, consent_at, unsubscribed_at)
             VALUES ($1, $2, 'Jane', $3, 'I agree', now(), $4) RETURNING id`,
            [campaignId, contactId, status, unsubscribedAt],
          )
        ).id;
      const lowerOnAll = await signature(all, lower, 'confirmed', null);
      const upperOnAll = await signature(all, upper, 'confirmed', '2026-02-01');
      const mixedOnAll = await signature(all, mixed, 'confirmed', '2026-01-20');
      const upperOnOther = await signature(onlyUpper, upper, 'confirmed', null);
      await one('INSERT INTO transactional_messages (supporter_id, kind) VALUES ($1, $2) RETURNING id', [upperOnAll, 'letter_copy']);
      await one('INSERT INTO transactional_messages (supporter_id, kind) VALUES ($1, $2) RETURNING id', [mixedOnAll, 'letter_copy']);
      await one('INSERT INTO transactional_messages (supporter_id, kind) VALUES ($1, $2) RETURNING id', [lowerOnAll, 'letter_copy']);

      await runMigrations(url);
      await runMigrations(url);

      // A non-ASCII capital is lower-cased by Postgres' lower() under the database's own locale (the
      // migration's comment says why that is the most SQL can do), so expect what this server gives.
      const accentedLower = (await one("SELECT lower('ÉLODIE@example.org') AS email")).email;
      const contacts = (await client.query('SELECT id, email FROM contacts ORDER BY created_at')).rows;
      expect(contacts).toEqual([
        { id: lower, email: 'jane.doe@example.org' },
        { id: alone, email: 'sam.roe@example.org' },
        { id: accented, email: accentedLower },
      ]);
      const supporters = (await client.query('SELECT id, campaign_id, contact_id, unsubscribed_at FROM supporters ORDER BY created_at')).rows;
      expect(supporters).toEqual([
        { id: lowerOnAll, campaign_id: all, contact_id: lower, unsubscribed_at: new Date('2026-01-20') },
        { id: upperOnOther, campaign_id: onlyUpper, contact_id: lower, unsubscribed_at: null },
      ]);
      const ledger = (await client.query('SELECT supporter_id FROM transactional_messages')).rows;
      expect(ledger).toEqual([{ supporter_id: lowerOnAll }]);
      expect((await one('SELECT supporter_count FROM campaigns WHERE id = $1', [all])).supporter_count).toBe(1);
      expect((await one('SELECT supporter_count FROM campaigns WHERE id = $1', [onlyUpper])).supporter_count).toBe(1);
    } finally {
      await client.end();
    }
  });
});
