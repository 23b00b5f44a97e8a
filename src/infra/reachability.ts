/**
 * Start-up checks that turn "ECONNREFUSED at TCPConnectWrap…" into one line an operator can act on:
 * which URL (password hidden) and how to start the missing service.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { redactUrl } from '../config.js';

export class UnreachableServiceError extends Error {
  override name = 'UnreachableServiceError';
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
