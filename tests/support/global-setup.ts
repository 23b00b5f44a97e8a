/**
 * Gives each test run its own PostgreSQL database (migrated from migrations/) and its own Redis key
 * prefix, so concurrent runs on one machine never see each other's data; both are removed afterwards.
 * The migrated database is a template: each test file gets a copy of it (tests/support/file-database.ts),
 * so one file's workers never sweep up another file's broadcasts.
 * The server is taken from TEST_DATABASE_URL or DATABASE_URL (any database on it), default local.
 */
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { runMigrations } from '../../src/db/migrate.js';
import { assertPostgresReachable, assertRedisReachable } from '../../src/infra/reachability.js';
import { deleteRedisKeys } from '../../scripts/delete-redis-keys.js';
import { databaseUrlFor, withAdminClient } from './admin-database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
    redisUrl: string;
    redisPrefix: string;
  }
}

export function uniqueName(kind: string): string {
  return `cl_${kind}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export default async function setup(project: TestProject) {
  const redisUrl = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  await assertPostgresReachable(databaseUrlFor('postgres'));
  await assertRedisReachable(redisUrl);

  const database = uniqueName('test');
  const redisPrefix = uniqueName('test');
  // Identifiers cannot be bound parameters; the name is generated above from [a-z0-9_] only.
  await withAdminClient((client) => client.query(`CREATE DATABASE ${database}`));
  await runMigrations(databaseUrlFor(database));

  project.provide('templateDatabase', database);
  project.provide('redisUrl', redisUrl);
  project.provide('redisPrefix', redisPrefix);

  return async () => {
    await withAdminClient(async (client) => {
      // The per-file copies first (each file drops its own; this catches a file that crashed).
      const copies = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${database}_f%`]);
      for (const { datname } of copies.rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    });
    await deleteRedisKeys(redisUrl, redisPrefix);
  };
}
