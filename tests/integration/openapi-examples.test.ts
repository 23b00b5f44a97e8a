/**
 * Every example body the OpenAPI document shows (what Swagger UI's "Try it out" sends) works when
 * sent to its route, in the order a campaign is run: create, change, preview, publish, sign, an
 * update, the letter delivered, a reply approved with the organiser's introduction, and a
 * suppression lifted with a reason.
 */
import { describe, expect, it } from 'vitest';
import { MERGE_FIELDS } from '../../src/templates/merge-fields.js';
import { R2P_SIGNATURE } from '../../src/http/api-examples.js';
import { addSuppression } from '../../src/suppressions/suppressions.js';
import { useTestStack } from '../support/test-stack.js';

const { stack, handle, organiser } = useTestStack({ organiser: 'UNA-UK' });

/** The order a campaign is run in; every operation with an example must be here. */
const RUN_ORDER = [
  'POST /api/v1/campaigns',
  'PATCH /api/v1/campaigns/{id}',
  'POST /api/v1/campaigns/{id}/preview',
  'POST /api/v1/campaigns/{id}/publish',
  'POST /api/v1/campaigns/{slug}/signatures',
  'POST /api/v1/campaigns/{id}/broadcasts',
  'POST /api/v1/campaigns/{id}/deliver-letter',
  'POST /api/v1/replies/{id}/approve',
  'DELETE /api/v1/suppressions/{id}',
];

describe('the OpenAPI document’s examples', () => {
  it('each succeed when sent to their route, and the letter’s merge fields are listed', async () => {
    const spec = (await stack.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const examples = new Map<string, unknown>();
    for (const [path, operations] of Object.entries<Record<string, { requestBody?: { content?: Record<string, { example?: unknown }> } }>>(spec.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const example = operation.requestBody?.content?.['application/json']?.example;
        if (example !== undefined) examples.set(`${method.toUpperCase()} ${path}`, example);
      }
    }
    // Publishing takes no body; every route that takes one has its example.
    expect([...examples.keys()].sort()).toEqual(RUN_ORDER.filter((key) => key !== 'POST /api/v1/campaigns/{id}/publish').sort());

    const ids: Record<string, string> = {};
    const send = async (key: string) => {
      const [method, template] = key.split(' ') as ['POST' | 'PATCH' | 'DELETE', string];
      const id = key.includes('/replies/') ? ids.reply! : key.includes('/suppressions/') ? ids.suppression! : ids.campaign!;
      const url = template.replace('{id}', id).replace('{slug}', ids.slug!);
      const body = examples.get(key);
      const response = await stack.app.inject({
        method,
        url,
        headers: key.includes('/signatures') ? {} : organiser.auth,
        ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
      });
      expect(response.statusCode, `${key}: ${response.body}`).toBeLessThan(300);
      return response.json();
    };
    for (const key of RUN_ORDER) {
      if (key === 'POST /api/v1/replies/{id}/approve') {
        // The reply a post-bag brings: entered by the organiser (multipart or JSON), awaiting approval.
        const posted = await stack.app.inject({
          method: 'POST',
          url: `/api/v1/campaigns/${ids.campaign}/replies`,
          headers: organiser.auth,
          payload: { fromAddress: 'conflict.department@fco.gov.uk', fromName: 'Conflict Department', subject: 'Re: R2P', body: 'We reply.', receivedAt: '2014-06-17' },
        });
        expect(posted.statusCode, posted.body).toBe(201);
        ids.reply = posted.json().id;
      }
      if (key === 'DELETE /api/v1/suppressions/{id}') {
        // A complaint kept for this organisation only (as a feedback report records one), lifted.
        await addSuppression(handle.db, { email: R2P_SIGNATURE.email, organiserId: organiser.id, reason: 'complaint', source: 'complaint', campaignId: ids.campaign! });
        const found = await stack.app.inject({ method: 'GET', url: `/api/v1/suppressions?email=${R2P_SIGNATURE.email}`, headers: organiser.auth });
        ids.suppression = found.json().items[0].id;
      }
      const result = await send(key);
      if (key === 'POST /api/v1/campaigns') Object.assign(ids, { campaign: result.id, slug: result.slug });
      if (key.endsWith('/approve')) {
        expect(result).toMatchObject({ status: 'forwarded', author: 'The Foreign Office’s Conflict Department', datedAt: '2014-06-17T00:00:00.000Z' });
      }
    }

    const create = spec.paths['/api/v1/campaigns'].post.requestBody.content['application/json'].schema;
    const description: string = create.properties.letter.properties.body.description;
    for (const field of Object.keys(MERGE_FIELDS)) expect(description).toContain(`{{ ${field} }}`);
  });
});
