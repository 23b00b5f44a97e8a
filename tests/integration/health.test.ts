import { describe, expect, it } from 'vitest';
import { startApp } from '../support/harness.js';

describe('health and readiness', () => {
  it('is healthy and ready when Postgres and Redis answer', async () => {
    const app = await startApp();
    try {
      expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
    } finally {
      await app.close();
    }
  });

  it('is not ready (503), but still healthy, while Redis is unreachable', async () => {
    // Port 1 on loopback: nothing listens there, so every connection is refused.
    const app = await startApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().status).toBe('unavailable');
      expect(ready.json().checks.postgres).toBe('ok');
      expect(ready.json().checks.redis).not.toBe('ok');
    } finally {
      await app.close();
    }
  });

  it('is not ready (503) while Postgres is unreachable', async () => {
    const app = await startApp({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    try {
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().checks.redis).toBe('ok');
      expect(ready.json().checks.postgres).not.toBe('ok');
    } finally {
      await app.close();
    }
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const app = await startApp();
    try {
      const response = await app.inject({ method: 'GET', url: '/nowhere?x=1' });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: { code: 'route_not_found', message: 'No route for GET /nowhere' } });
    } finally {
      await app.close();
    }
  });
});
