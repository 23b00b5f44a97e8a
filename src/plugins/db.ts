import fp from 'fastify-plugin';
import { openDatabase, type Database } from '../db/client.js';
import type pg from 'pg';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
    pgPool: pg.Pool;
  }
}

export default fp<{ url: string; poolSize: number }>(
  async (app, { url, poolSize }) => {
    const handle = openDatabase(url, {
      poolSize,
      applicationName: 'campaign-letters-api',
      log: (details, message) => app.log.warn(details, message),
    });
    app.decorate('db', handle.db);
    app.decorate('pgPool', handle.pool);
    app.addHook('onClose', () => handle.close());
  },
  { name: 'db' },
);
