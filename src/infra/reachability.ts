/**
 * Start-up checks that turn "ECONNREFUSED at TCPConnectWrap…" into one line an operator can act on:
 * which URL (password hidden) and how to start the missing service.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { redactUrl } from '../config.js';
import { StartupError } from './startup-error.js';

export class UnreachableServiceError extends StartupError {
  override name = 'UnreachableServiceError';
}

/** Postgres answered, but the database named in DATABASE_URL does not exist (SQLSTATE 3D000). */
function missingDatabase(url: string): UnreachableServiceError {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || parsed.username || 'postgres';
  // The password is never printed: createdb asks for it (or reads PGPASSWORD / ~/.pgpass).
  const options = [
    parsed.hostname && `-h ${parsed.hostname.replace(/^\[|\]$/g, '')}`,
    `-p ${parsed.port || '5432'}`,
    parsed.username && `-U ${decodeURIComponent(parsed.username)}`,
  ].filter(Boolean);
  return new UnreachableServiceError(
    `PostgreSQL at ${redactUrl(url)} has no database "${name}" (DATABASE_URL). ` +
      `Create it with 'createdb ${options.join(' ')} ${name}', then run 'npm run migrate'.`,
  );
}

function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reasonOf(error.errors[0]);
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.message;
  return String(error);
}

export async function assertPostgresReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    if ((error as { code?: unknown }).code === '3D000') throw missingDatabase(url);
    throw new UnreachableServiceError(
      `Cannot reach PostgreSQL at ${redactUrl(url)} (${reasonOf(error)}). ` +
        `Start it (e.g. 'docker compose up -d postgres') or set DATABASE_URL.`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

export async function assertRedisReachable(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // connect() only rejects with "Connection is closed."; the socket's real error arrives as an event.
  let socketError: unknown;
  redis.on('error', (error) => (socketError ??= error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new UnreachableServiceError(
      `Cannot reach Redis at ${redactUrl(url)} (${reasonOf(socketError ?? error)}). ` +
        `Start it (e.g. 'docker compose up -d redis') or set REDIS_URL.`,
    );
  } finally {
    redis.disconnect();
  }
}
