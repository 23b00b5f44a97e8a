/**
 * Applies pending migrations from `migrations/` under a Postgres advisory lock, so two processes
 * starting together (say, two containers) cannot both try to create the same table: the second
 * waits, then finds nothing left to do.
 */
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

/** An arbitrary constant shared by every process of this service; it names "the migration lock". */
const MIGRATION_LOCK_KEY = 7_301_955_021;

export async function runMigrations(databaseUrl: string, migrationsFolder = MIGRATIONS_FOLDER): Promise<void> {
  // A single client, not a pool: a session-level advisory lock belongs to one connection, and the
  // migrations must run on that same connection.
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'campaign-letters-migrate' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle(client), { migrationsFolder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}
