/**
 * Property-based: random and hostile bodies, queries and headers against every public and organiser
 * route. Whatever arrives: never a 5xx, a 4xx always has the JSON error shape (or, for pages, HTML),
 * and a 4xx changes nothing in the database.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPublishedCampaign } from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';

const { app, handle, organiser } = useTestStack({ runs: 'app', organiser: 'Fuzzed' });
let campaign: { id: string; slug: string };

beforeAll(async () => {
  campaign = await createPublishedCampaign(app, organiser);
});

/**
 * Row counts of every table and the campaigns' latest update: a refused request must leave all of
 * them as they were. (A count of recent updates drifted as the clock moved on under load.)
 */
async function snapshot(): Promise<string> {
  const { rows } = await handle.pool.query<{ t: string; n: number | string }>(`
    SELECT 'campaigns' AS t, count(*)::int AS n FROM campaigns UNION ALL
    SELECT 'contacts', count(*)::int FROM contacts UNION ALL
    SELECT 'supporters', count(*)::int FROM supporters UNION ALL
    SELECT 'broadcasts', count(*)::int FROM broadcasts UNION ALL
    SELECT 'replies', count(*)::int FROM replies UNION ALL
    SELECT 'suppressions', count(*)::int FROM suppressions UNION ALL
    SELECT 'last update (µs)', (extract(epoch FROM max(updated_at)) * 1e6)::bigint FROM campaigns`);
  return JSON.stringify(rows);
}

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\r\nBcc: victim@example.org',
    '<script>alert(1)</script>',
    '{{ supporter.name }}',
    '{% include "/etc/passwd" %}',
    '=HYPERLINK("x")',
    "'; DROP TABLE campaigns; --",
    '../../etc/passwd',
    '__proto__',
    'constructor',
    '\u202Eevil',
    'e\u0301\u0301\u0301',
    '😀'.repeat(50),
    'x'.repeat(5000),
  ),
);

const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'slug', 'letter', 'email', 'consent')), tie('value'), { maxKeys: 4 }),
  ),
})).value;

interface RouteCase {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: (id: string) => string;
  organiser: boolean;
  html?: boolean;
}

const routes: RouteCase[] = [
  { method: 'POST', url: () => '/api/v1/campaigns', organiser: true },
  { method: 'GET', url: () => '/api/v1/campaigns', organiser: true },
  { method: 'PATCH', url: (id) => `/api/v1/campaigns/${id}`, organiser: true },
  { method: 'POST', url: (id) => `/api/v1/campaigns/${id}/broadcasts`, organiser: true },
  { method: 'POST', url: (id) => `/api/v1/campaigns/${id}/preview`, organiser: true },
  { method: 'POST', url: (id) => `/api/v1/campaigns/${id}/deliver-letter`, organiser: true },
  { method: 'POST', url: (id) => `/api/v1/campaigns/${id}/replies`, organiser: true },
  { method: 'GET', url: (id) => `/api/v1/campaigns/${id}/supporters`, organiser: true },
  { method: 'POST', url: () => '/api/v1/broadcasts/00000000-0000-4000-8000-000000000000/start', organiser: true },
  { method: 'POST', url: () => '/api/v1/replies/00000000-0000-4000-8000-000000000000/approve', organiser: true },
  { method: 'POST', url: () => '/api/v1/inbound', organiser: false },
  { method: 'POST', url: () => `/api/v1/campaigns/${campaign.slug}/signatures`, organiser: false },
  { method: 'POST', url: () => `/c/${campaign.slug}`, organiser: false, html: true },
  { method: 'POST', url: () => '/confirm/AAAA', organiser: false, html: true },
  { method: 'POST', url: () => '/u/AAAA', organiser: false, html: true },
  { method: 'POST', url: () => '/privacy/AAAA/erase', organiser: false, html: true },
];

describe('hostile input', () => {
  it('never gets a 5xx, always gets a proper error, and a refusal changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        hostileValue,
        fc.dictionary(fc.constantFrom('limit', 'cursor', 'status', 'q', 'subscribed', 'x'), hostileString, { maxKeys: 3 }),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'message/rfc822'),
        fc.boolean(),
        async (route, body, query, contentType, authorised) => {
          const before = await snapshot();
          const payload = contentType === 'application/json' ? JSON.stringify(body) : typeof body === 'string' ? body : JSON.stringify(body);
          const response = await app.inject({
            method: route.method,
            url: route.url(campaign.id),
            query,
            headers: {
              'content-type': contentType,
              ...(route.organiser && authorised ? organiser.auth : {}),
              'x-inbound-signature': 'sha256=00',
              'x-inbound-timestamp': '1',
            },
            ...(route.method === 'GET' ? {} : { payload }),
          });
          expect(response.statusCode, `${route.method} ${route.url(campaign.id)} → ${response.body.slice(0, 300)}`).toBeLessThan(500);
          if (response.statusCode >= 400) {
            if (route.html) {
              expect(response.headers['content-type']).toContain('text/html');
            } else {
              const error = response.json().error;
              expect(typeof error.code).toBe('string');
              expect(typeof error.message).toBe('string');
            }
            expect(await snapshot()).toBe(before);
          }
        },
      ),
      { numRuns: 300 },
    );
  }, 120_000);
});
