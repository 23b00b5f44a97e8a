/** The organiser's route for delivering the campaign letter to the target. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { campaignIdParams } from '../campaigns/campaign-schemas.js';
import { errorResponses } from '../http/error-schema.js';
import { deliverLetter, type DeliverLetterDeps } from './deliver-letter.js';

const security = [{ apiKey: [] }];
const tags = ['broadcasts'];

export const letterRoutes: FastifyPluginAsyncZod<{ letters: DeliverLetterDeps }> = async (app, { letters }) => {
  app.post('/campaigns/:id/deliver-letter', {
    schema: {
      tags,
      security,
      summary: 'Deliver the letter to the target: each supporter’s copy (individual) or one bundle',
      description:
        'individual: each confirmed supporter’s merged letter goes to the target, as a broadcast to watch. bundle: one covering ' +
        'letter with the signatories attached as CSV and PDF. Reply-To is the campaign’s replyAddress either way. Once per campaign (409 after).',
      params: campaignIdParams,
      body: z.strictObject({ mode: z.enum(['individual', 'bundle']) }),
      response: {
        202: z.object({ mode: z.enum(['individual', 'bundle']), broadcastId: z.uuid().nullable(), targetLetterId: z.uuid().nullable() }),
        ...errorResponses(400, 401, 404, 409, 422),
      },
    },
    handler: async (request, reply) =>
      reply.code(202).send(await deliverLetter(letters, request.organiserId, request.params.id, request.body.mode)),
  });
};
