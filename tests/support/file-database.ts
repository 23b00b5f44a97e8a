/**
 * Runs before each test file (vitest setupFiles): copies the run's migrated template database into
 * one for this file alone, and points DATABASE_URL of this file's app, workers and child processes at
 * it (TEST_FILE_DATABASE_URL). Dropped when the file is done. Unit tests (tests/unit/) use no
 * services, so they get none: copying and dropping one is most of a unit test file's start-up.
 */
import { randomBytes } from 'node:crypto';
import { sep } from 'node:path';
import { afterAll, expect, inject } from 'vitest';
import { databaseUrlFor, withAdminClient } from './admin-database.js';

const isUnitTest = expect.getState().testPath?.includes(`${sep}tests${sep}unit${sep}`) ?? false;

if (!isUnitTest) {
  const template = inject('templateDatabase');
  const name = `${template}_f${randomBytes(4).toString('hex')}`;

  // Identifiers cannot be bound parameters; both names are generated from [a-z0-9_] only.
  for (let attempt = 1; ; attempt++) {
    try {
      await withAdminClient((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
      break;
    } catch (error) {
      // Two files copying the template at the same instant can collide ("is being accessed by other users").
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
  process.env.TEST_FILE_DATABASE_URL = databaseUrlFor(name);

  afterAll(async () => {
    await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });
}
