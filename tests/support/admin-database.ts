/**
 * The test database server, reached as its administrator: where each run's and each file's
 * databases are created and dropped. Only pg: every test file's setup loads this module.
 */
import pg from 'pg';

/** TEST_DATABASE_URL or DATABASE_URL (any database on the server), default local. */
function serverUrl(): string {
  return process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function databaseUrlFor(name: string): string {
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdminClient<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrlFor('postgres') });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
