/**
 * Organisers' logos, public (mail clients and the campaign page load them without a key). Only ever
 * the PNG or JPEG bytes checked at upload, with their sniffed type, told not to be sniffed again nor
 * run as anything; cached for a year, since each new logo has a new URL (see logo-url.ts).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/client.js';
import { NotFoundError } from '../errors.js';
import { findLogo } from './organiser-profile.js';

export const logoRoutes: FastifyPluginAsyncZod<{ db: Database }> = async (app, { db }) => {
  app.get('/organisers/:id/logo', {
    schema: {
      tags: ['organiser'],
      summary: 'An organiser’s logo (public): image/png or image/jpeg',
      params: z.strictObject({ id: z.uuid({ message: 'must be an organiser id (UUID)' }) }),
      querystring: z.object({ v: z.string().max(64).optional().describe('The logo’s version; any value serves the current logo') }),
      produces: ['image/png', 'image/jpeg'],
    },
    handler: async (request, reply) => {
      const logo = await findLogo(db, request.params.id);
      if (!logo) throw new NotFoundError('No logo');
      const etag = `"${logo.sha256}"`;
      reply
        .header('content-type', logo.contentType)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cross-origin-resource-policy', 'cross-origin')
        .header('etag', etag)
        .header('last-modified', logo.updatedAt.toUTCString())
        .header('cache-control', request.query.v === logo.sha256.slice(0, 16) ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.send(logo.content);
    },
  });
};
