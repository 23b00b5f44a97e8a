/**
 * `Authorization: Bearer <apiKey>` for organiser routes. Registered as an onRequest hook on the
 * organiser API scope, so no route there can be reached without it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../db/client.js';
import { UnauthorizedError } from '../errors.js';
import { authenticateApiKey } from '../organisers/organiser-service.js';

declare module 'fastify' {
  interface FastifyRequest {
    organiserId: string;
  }
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function requireOrganiser(app: FastifyInstance, db: Database): void {
  app.decorateRequest('organiserId', '');
  app.addHook('onRequest', async (request) => {
    const token = bearerToken(request);
    if (!token) throw new UnauthorizedError('Send your API key as "Authorization: Bearer <apiKey>"');
    const organiserId = await authenticateApiKey(db, token);
    if (!organiserId) throw new UnauthorizedError('The API key is not valid');
    request.organiserId = organiserId;
  });
}
