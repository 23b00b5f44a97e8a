/**
 * A run's own database on a shared Postgres server, created and dropped as its administrator: used
 * by the test run (tests/support) and the benchmark (bench/), which each make theirs per run.
 */
import pg from 'pg';

/** The URL of database `name` on the server `serverUrl` names (any database on it). */
export function databaseUrlOn(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A client on the server's `postgres` database, for CREATE and DROP DATABASE. */
export async function withAdminClient<T>(serverUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrlOn(serverUrl, 'postgres') });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
