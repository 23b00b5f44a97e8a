/**
 * The test database server, reached as its administrator: where each run's and each file's
 * databases are created and dropped. Only pg: every test file's setup loads this module.
 */
import type pg from 'pg';
import * as throwaway from '../../scripts/throwaway-database.js';

/** TEST_DATABASE_URL or DATABASE_URL (any database on the server), default local. */
function serverUrl() {
  return process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function databaseUrlFor(name: string): string {
  return throwaway.databaseUrlOn(serverUrl(), name);
}

export function withAdminClient<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  return throwaway.withAdminClient(serverUrl(), use);
}
