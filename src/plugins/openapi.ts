import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { withRequestExamples } from '../http/api-examples.js';

/** OpenAPI generated from the routes' zod schemas: /openapi.json, and Swagger UI at /docs. */
export default fp<{ publicBaseUrl: string; swaggerUi: boolean }>(
  async (app, { publicBaseUrl, swaggerUi: withUi }) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Campaign letters API',
          version: '1',
          description:
            'Organisers launch campaign letters, supporters sign, the letter goes to the target, and the ' +
            'official reply is forwarded to every supporter. Errors are always `{ "error": { "code", "message", "field"? } }`.',
        },
        servers: [{ url: publicBaseUrl }],
        components: {
          securitySchemes: {
            apiKey: { type: 'http', scheme: 'bearer', description: 'An organiser API key (npm run cli -- create-organiser)' },
          },
        },
      },
      transform: jsonSchemaTransform,
      // The routes' example bodies (the R2P campaign), which Swagger UI's "Try it out" sends.
      transformObject: (document) => withRequestExamples(jsonSchemaTransformObject(document)),
    });
    app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
    if (withUi) await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'openapi' },
);
