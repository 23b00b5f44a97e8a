import { describe, expect, it } from 'vitest';
import { startApp } from '../support/harness.js';

describe('API documentation', () => {
  it('serves an OpenAPI document generated from the route schemas, and Swagger UI', async () => {
    const app = await startApp();
    try {
      const response = await app.inject({ method: 'GET', url: '/openapi.json' });
      expect(response.statusCode).toBe(200);
      const spec = response.json();
      expect(spec.openapi).toBe('3.1.0');
      expect(Object.keys(spec.paths)).toEqual(
        expect.arrayContaining([
          '/api/v1/campaigns',
          '/api/v1/campaigns/{id}',
          '/api/v1/campaigns/{id}/publish',
          '/api/v1/campaigns/{id}/close',
          '/healthz',
          '/readyz',
        ]),
      );
      const create = spec.paths['/api/v1/campaigns'].post;
      const body = create.requestBody.content['application/json'].schema;
      expect(body.required).toEqual(expect.arrayContaining(['slug', 'title', 'letter', 'target', 'sender']));
      expect(Object.keys(body.properties)).toEqual(
        expect.arrayContaining(['slug', 'title', 'summary', 'letter', 'target', 'sender', 'replyPolicy']),
      );
      expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '409']));
      expect(spec.components.schemas).toHaveProperty('Campaign');
      expect(spec.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });

      const ui = await app.inject({ method: 'GET', url: '/docs/' });
      expect(ui.statusCode).toBe(200);
      expect(ui.headers['content-type']).toContain('text/html');
    } finally {
      await app.close();
    }
  });
});
