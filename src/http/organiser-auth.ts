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
    /** The API key the request was made with: who did it, in an audit record. */
    apiKeyId: string;
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
  app.decorateRequest('apiKeyId', '');
  app.addHook('onRequest', async (request) => {
    const token = bearerToken(request);
    if (!token) throw new UnauthorizedError('Send your API key as "Authorization: Bearer <apiKey>"');
    const key = await authenticateApiKey(db, token);
    if (!key) throw new UnauthorizedError('The API key is not valid');
    request.organiserId = key.organiserId;
    request.apiKeyId = key.keyId;
  });
}
