/**
 * The authorisation matrix, over every organiser route the running app has (read from its router, so
 * a route added later is in it without anyone remembering): another organiser's key gets exactly the
 * 404 a resource that does not exist gets, and no table changes; no key, a revoked key, or anything
 * that is not a key gets 401 and no table changes. The owner's own key then reaches every one of the
 * same resources, so each 404 is about whose they are and nothing else. The organiser web app's
 * routes (/app) get the same treatment with sessions instead of keys, plus the CSRF check.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { displayPrefixOf } from '../../src/organisers/api-keys.js';
import { revokeApiKey } from '../../src/organisers/organiser-service.js';
import { createPublishedCampaign, newOrganiser, type TestOrganiser } from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';
import { seedSupporters } from '../support/seed.js';
import { appRoutesOf, fillPath, fingerprint, organiserRoutesOf, routeKey, type AppRoute } from '../support/routes.js';
import { appGet, appPost, appPostFile, signIn, type AppSession } from '../support/app-session.js';
import { tinyPng } from '../support/images.js';
import { uniqueSuffix } from '../support/harness.js';
import { addSuppression } from '../../src/suppressions/suppressions.js';
import { emailHash } from '../../src/supporters/email-address.js';

const { app, handle, organiser: alice } = useTestStack({ runs: 'app', organiser: 'Alice' });
let bob: TestOrganiser;
/** Alice's resources, by the path segment that names their kind. */
let owned: Record<string, string>;
let aliceSupporterId: string;

const NOBODY = '00000000-0000-4000-8000-000000000000';

/**
 * A body each route would accept from the resource's owner. Without one a route with a body schema
 * answers Bob 400 instead of 404, and this test fails: a new route with a body must be added here.
 */
function payloadFor(route: AppRoute): object | undefined {
  const payloads: Record<string, object> = {
    'PATCH /api/v1/campaigns/:slug|:id': { title: 'Taken over' },
    'POST /api/v1/campaigns/:slug|:id/broadcasts': { kind: 'update', subject: 'Hijacked', body: 'Hello {{ supporter.name }}' },
    'POST /api/v1/campaigns/:slug|:id/preview': { supporterId: aliceSupporterId },
    'POST /api/v1/campaigns/:slug|:id/deliver-letter': { mode: 'bundle' },
    'POST /api/v1/campaigns/:slug|:id/replies': { fromAddress: 'minister@fco.gov.example', subject: 'A forged reply', body: 'Forged.' },
    'DELETE /api/v1/suppressions/:id': { reason: 'Lifted by the matrix' },
  };
  return payloads[routeKey(route)];
}

/**
 * Routes that name no resource: what another organiser must not get from them is checked apart. The
 * profile routes are the caller's own organisation (tests/integration/organiser-profile.test.ts).
 */
const WITHOUT_RESOURCE = new Set([
  'GET /api/v1/campaigns',
  'POST /api/v1/campaigns',
  'GET /api/v1/organiser/profile',
  'PUT /api/v1/organiser/profile',
  'PUT /api/v1/organiser/logo',
  'DELETE /api/v1/organiser/logo',
  // The caller's own suppressions: tests/integration/suppression-api.test.ts checks another organiser's.
  'GET /api/v1/suppressions',
  'GET /api/v1/suppressions/export.csv',
]);

const NOT_FOUND: Record<string, string> = {
  campaigns: 'Campaign not found',
  broadcasts: 'Broadcast not found',
  replies: 'Reply not found',
  'target-letters': 'Target letter not found',
  suppressions: 'Suppression not found',
};

function requestFor(route: AppRoute, ids: (resource: string) => string) {
  const payload = payloadFor(route);
  return {
    method: route.method as 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: fillPath(route.path, ids),
    ...(payload ? { payload } : {}),
  };
}

function ownedId(resource: string): string {
  const id = owned[resource];
  if (!id) throw new Error(`no resource of Alice's for /${resource}/:id: add one to the matrix's set-up`);
  return id;
}

/** A reply that came by post, entered through the API for one of Alice's campaigns. */
function enterReply(campaignId: string) {
  return app.inject({
    method: 'POST',
    url: `/api/v1/campaigns/${campaignId}/replies`,
    headers: alice.auth,
    payload: { fromAddress: 'minister@fco.gov.example', subject: 'Our reply', body: 'We have considered your letter.' },
  });
}

beforeAll(async () => {
  bob = await newOrganiser(handle, 'Bob');
  const campaign = await createPublishedCampaign(app, alice, { replyPolicy: { mode: 'approve', allowedSenders: ['fco.gov.example'] } });
  await seedSupporters(handle, campaign.id, 3, `matrix-${campaign.id.slice(0, 8)}`);
  aliceSupporterId = (await handle.pool.query<{ id: string }>('SELECT id FROM supporters WHERE campaign_id = $1 LIMIT 1', [campaign.id])).rows[0]!.id;
  const broadcast = await app.inject({
    method: 'POST',
    url: `/api/v1/campaigns/${campaign.id}/broadcasts`,
    headers: alice.auth,
    payload: { kind: 'update', subject: 'News', body: 'Dear {{ supporter.first_name }}' },
  });
  const reply = await enterReply(campaign.id);
  expect(broadcast.statusCode).toBe(201);
  expect(reply.json().status).toBe('awaiting_approval');
  // A bundle that failed: its record exists (the owner reads it), without a PDF (422 for the owner).
  const letter = await handle.pool.query<{ id: string }>("INSERT INTO target_letters (campaign_id, status) VALUES ($1, 'failed') RETURNING id", [campaign.id]);
  owned = {
    campaigns: campaign.id,
    broadcasts: broadcast.json().id,
    replies: reply.json().id,
    'target-letters': letter.rows[0]!.id,
    suppressions: await ownSuppression(campaign.id),
  };
});

/** A complaint kept for Alice's campaigns only: a suppression she may lift. */
async function ownSuppression(campaignId: string): Promise<string> {
  const email = `complained-${uniqueSuffix()}@example.org`;
  await addSuppression(handle.db, { email, organiserId: alice.id, reason: 'complaint', source: 'complaint', campaignId });
  return (await handle.pool.query<{ id: string }>('SELECT id FROM suppressions WHERE email_hash = $1', [emailHash(email)])).rows[0]!.id;
}

describe('the organiser routes', () => {
  it('are found in the router, and are exactly the operations the API documents as needing a key', async () => {
    const routes = organiserRoutesOf(app).map(routeKey);
    expect(routes.length).toBeGreaterThanOrEqual(20);
    const documented: string[] = [];
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, { security?: unknown[] }>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (operation.security?.length) documented.push(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
      }
    }
    expect(new Set(documented)).toEqual(new Set(routes.map((route) => route.replace(':slug|:id', ':id'))));
  });
});

describe('another organiser’s key', () => {
  it('gets, on every route naming a resource, the same 404 as for one that does not exist, and changes nothing', async () => {
    const routes = organiserRoutesOf(app).filter((route) => !WITHOUT_RESOURCE.has(routeKey(route)));
    const before = await fingerprint(handle);
    for (const route of routes) {
      const response = await app.inject({ ...requestFor(route, ownedId), headers: bob.auth });
      const what = `${routeKey(route)} → ${response.body.slice(0, 200)}`;
      expect(response.statusCode, what).toBe(404);
      const resource = route.path.split('/')[3]!;
      expect(response.json(), what).toEqual({ error: { code: 'not_found', message: NOT_FOUND[resource] } });
      const missing = await app.inject({ ...requestFor(route, () => NOBODY), headers: bob.auth });
      expect({ status: missing.statusCode, body: missing.json() }, what).toEqual({ status: 404, body: response.json() });
    }
    expect(await fingerprint(handle)).toEqual(before);
  });

  it('lists none of them, and cannot reach one of them through its own campaign', async () => {
    const list = await app.inject({ method: 'GET', url: '/api/v1/campaigns?limit=100', headers: bob.auth });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(owned.campaigns);

    // Bob's own campaign, previewed "for" Alice's supporter: the id is someone else's, so not found.
    const bobs = await createPublishedCampaign(app, bob);
    const before = await fingerprint(handle);
    const preview = await app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${bobs.id}/preview`,
      headers: bob.auth,
      payload: { supporterId: aliceSupporterId },
    });
    expect(preview.statusCode).toBe(404);
    expect(preview.json().error).toMatchObject({ code: 'not_found', field: 'supporterId' });
    expect(preview.body).not.toContain('Supporter 1');
    expect(await fingerprint(handle)).toEqual(before);
  });
});

describe('a request without a valid key', () => {
  it('gets 401 with the JSON error shape on every organiser route, and changes nothing', async () => {
    const retired = await newOrganiser(handle, 'Retired');
    expect(await revokeApiKey(handle.db, displayPrefixOf(retired.apiKey))).toBe(1);
    const lastChar = alice.apiKey.at(-1) === 'A' ? 'B' : 'A';
    const credentials: Array<[string, Record<string, string>]> = [
      ['no key', {}],
      ['a revoked key', retired.auth],
      ['a key one character off', { authorization: `Bearer ${alice.apiKey.slice(0, -1)}${lastChar}` }],
      ['the key upper-cased', { authorization: `Bearer ${alice.apiKey.toUpperCase()}` }],
      ['the key without its scheme', { authorization: alice.apiKey }],
      ['the key under another scheme', { authorization: `Token ${alice.apiKey}` }],
      ['the key followed by junk', { authorization: `Bearer ${alice.apiKey} x` }],
      ['a malformed key', { authorization: 'Bearer clk_\u00e9' }],
    ];
    const before = await fingerprint(handle);
    for (const route of organiserRoutesOf(app)) {
      for (const [what, headers] of credentials) {
        const response = await app.inject({ ...requestFor(route, ownedId), headers });
        const label = `${routeKey(route)} with ${what}`;
        expect(response.statusCode, label).toBe(401);
        expect(response.json().error.code, label).toBe('unauthorized');
        expect(typeof response.json().error.message, label).toBe('string');
        expect(response.headers['www-authenticate'], label).toBe('Bearer');
      }
    }
    // The key as a query parameter is not a way in either.
    const inQuery = await app.inject({ method: 'GET', url: `/api/v1/campaigns/${owned.campaigns}?api_key=${alice.apiKey}` });
    expect(inQuery.statusCode).toBe(401);
    expect(await fingerprint(handle)).toEqual(before);
  });
});

describe('the owner’s own key', () => {
  it('reaches every one of the same resources (so the 404s above are about ownership alone)', async () => {
    // Destructive and streaming routes last: cancelling ends the progress stream at once, deleting
    // the campaign would hide everything after it.
    const weight = (route: AppRoute) => (route.method === 'DELETE' ? 3 : route.path.endsWith('/events') ? 2 : route.path.endsWith('/cancel') ? 1 : 0);
    const routes = organiserRoutesOf(app)
      .filter((route) => !WITHOUT_RESOURCE.has(routeKey(route)))
      .sort((a, b) => weight(a) - weight(b));
    await app.inject({ method: 'POST', url: `/api/v1/campaigns/${owned.campaigns}/close`, headers: alice.auth });
    for (const route of routes) {
      const response = await app.inject({ ...requestFor(route, ownedId), headers: alice.auth });
      // 409 and 422 are fine: the resource was found, and refused only for its state.
      expect([400, 401, 403, 404], `${routeKey(route)} → ${response.statusCode} ${response.body.slice(0, 200)}`).not.toContain(response.statusCode);
      expect(response.statusCode, routeKey(route)).toBeLessThan(500);
    }
  });
});

/**
 * The organiser web app, every route of it the router has under /app (signing in aside): the same
 * matrix with sessions. A form a route needs from its owner goes here, or Bob's 404 becomes a 400.
 */
function appFormFor(route: AppRoute): Record<string, string> {
  const forms: Record<string, Record<string, string>> = {
    'POST /app/settings/users': { email: `invitee-${uniqueSuffix()}@example.org`, role: 'editor' },
    'POST /app/settings/users/:id/role': { role: 'editor' },
    'POST /app/settings/profile': { name: 'Alice’s organisation' },
    'POST /app/campaigns/new': campaignForm(),
    'POST /app/campaigns/:id/edit': campaignForm(),
    'POST /app/campaigns/:id/letter/send': { mode: 'bundle' },
    'POST /app/campaigns/:id/replies': { fromAddress: 'minister@fco.gov.example', subject: 'A reply by post', body: 'We have considered your letter.' },
    'POST /app/replies/:id/approve': { author: 'The Minister', introduction: 'Dear {{ supporter.first_name }}, the reply:' },
    'POST /app/campaigns/:id/broadcasts': { subject: 'An update of the matrix', body: 'Dear {{ supporter.name }},\n\nNews.', sendAt: '' },
    'POST /app/suppressions/:id/remove': { reason: 'Lifted by the matrix' },
  };
  return forms[routeKey(route)] ?? {};
}

/** The campaign editor's fields for a valid campaign (a published one's locked fields are ignored). */
function campaignForm(): Record<string, string> {
  return {
    title: 'A campaign of the matrix',
    slug: `matrix-${uniqueSuffix()}`,
    'letter.subject': 'A letter',
    'letter.body': 'Dear Minister,\n\n{{ supporter.name }}',
    'target.name': 'A Minister',
    'target.email': 'minister@gov.example',
    'sender.name': 'Alice',
    'sender.email': 'alice@example.org',
    'replyPolicy.mode': 'approve',
  };
}

function appRequest(route: AppRoute, session: AppSession | undefined, ids: (resource: string) => string, csrfToken?: string | null) {
  const url = fillPath(route.path, ids);
  if (route.method === 'GET') return appGet(app, session, url);
  // The one form that sends a file.
  if (routeKey(route) === 'POST /app/settings/logo') {
    return appPostFile(app, session, url, 'logo', { filename: 'logo.png', contentType: 'image/png', content: tinyPng() }, csrfToken === undefined ? {} : { csrfToken });
  }
  return appPost(app, session, url, appFormFor(route), csrfToken === undefined ? {} : { csrfToken });
}

describe('the organiser web app', () => {
  let aliceOwner: AppSession;
  let bobOwner: AppSession;
  let appOwned: Record<string, string>;
  const appOwnedId = (resource: string) => appOwned[resource] ?? ownedId(resource);

  beforeAll(async () => {
    aliceOwner = await signIn(handle, { organiser: alice, role: 'owner' });
    const aliceEditor = await signIn(handle, { organiser: alice, role: 'editor' });
    bobOwner = await signIn(handle, { organiser: bob, role: 'owner' });
    const { rows } = await handle.pool.query<{ id: string }>('SELECT id FROM api_keys WHERE organiser_id = $1', [alice.id]);
    // A campaign of its own: the API's matrix above ends by deleting the one it shares.
    const campaign = await createPublishedCampaign(app, alice);
    // A cancelled broadcast: every action is then refused for its state alone (409), and its event
    // stream ends after one event instead of following a broadcast that no worker here sends.
    const broadcast = await app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaign.id}/broadcasts`,
      headers: alice.auth,
      payload: { kind: 'update', subject: 'Matrix', body: 'Hello' },
    });
    const broadcastId = broadcast.json<{ id: string }>().id;
    await app.inject({ method: 'POST', url: `/api/v1/broadcasts/${broadcastId}/cancel`, headers: alice.auth });
    // A reply with a file, and a bundle sent with its PDF, of this campaign: the API's go with the campaign it deletes.
    const reply = await enterReply(campaign.id);
    expect(reply.statusCode).toBe(201);
    const file = await handle.pool.query<{ id: string }>(
      "INSERT INTO reply_attachments (reply_id, filename, content_type, content) VALUES ($1, 'reply.pdf', 'application/pdf', $2) RETURNING id",
      [reply.json().id, Buffer.from('%PDF-1.4\n%%EOF\n')],
    );
    const letter = await handle.pool.query<{ id: string }>(
      "INSERT INTO target_letters (campaign_id, status, pdf, signatories) VALUES ($1, 'sent', $2, 0) RETURNING id",
      [campaign.id, Buffer.from('%PDF-1.4\n%%EOF\n')],
    );
    appOwned = {
      users: aliceEditor.user.userId,
      'api-keys': rows[0]!.id,
      campaigns: campaign.id,
      replies: reply.json().id,
      'reply-attachments': file.rows[0]!.id,
      'target-letters': letter.rows[0]!.id,
      broadcasts: broadcastId,
      suppressions: await ownSuppression(campaign.id),
    };
  });

  it('has its routes read from the router', () => {
    const routes = appRoutesOf(app).map(routeKey);
    for (const expected of [
      'GET /app/settings',
      'POST /app/settings/users',
      'POST /app/settings/users/:id/role',
      'POST /app/settings/api-keys/:id/revoke',
      'POST /app/sign-out',
      'GET /app/campaigns/:id',
      'POST /app/campaigns/:id/edit',
      'POST /app/campaigns/:id/publish',
      'GET /app/campaigns/:id/supporters/export.csv',
      'GET /app/campaigns/:id/letter',
      'POST /app/campaigns/:id/letter/send',
      'GET /app/target-letters/:id/pdf',
      'GET /app/campaigns/:id/replies',
      'POST /app/campaigns/:id/replies',
      'GET /app/replies/:id',
      'GET /app/replies/:id/body.html',
      'GET /app/reply-attachments/:id',
      'POST /app/replies/:id/approve',
      'POST /app/replies/:id/reject',
      'GET /app/suppressions',
      'POST /app/suppressions/:id/remove',
    ]) {
      expect(routes).toContain(expected);
    }
  });

  it('without a live session: every page sends the browser to sign in, anything else is 401, and nothing changes', async () => {
    const ended = await signIn(handle, { organiser: alice });
    await handle.pool.query('DELETE FROM sessions WHERE id = $1', [ended.sessionId]);
    const idle = await signIn(handle, { organiser: alice });
    await handle.pool.query("UPDATE sessions SET last_seen_at = now() - interval '1 day' WHERE id = $1", [idle.sessionId]);
    const pastMaximum = await signIn(handle, { organiser: alice });
    await handle.pool.query("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1", [pastMaximum.sessionId]);
    const forged = { ...aliceOwner, cookie: `cl_session=${'A'.repeat(43)}` };
    const before = await fingerprint(handle);
    for (const route of appRoutesOf(app)) {
      for (const [what, session] of [['no session', undefined], ['a signed-out session', ended], ['an idle session', idle], ['an expired session', pastMaximum], ['a forged cookie', forged]] as const) {
        const response = await appRequest(route, session, appOwnedId);
        const label = `${routeKey(route)} with ${what}`;
        if (route.method === 'GET') {
          expect(response.statusCode, label).toBe(303);
          expect(response.headers.location, label).toBe('/app/sign-in');
        } else {
          expect(response.statusCode, label).toBe(401);
        }
      }
    }
    expect(await fingerprint(handle)).toEqual(before);
  });

  it('refuses every state-changing request without the session’s own CSRF token (403), and nothing changes', async () => {
    const before = await fingerprint(handle);
    for (const route of appRoutesOf(app).filter((candidate) => candidate.method !== 'GET')) {
      for (const csrfToken of [null, '', bobOwner.csrfToken]) {
        const response = await appRequest(route, aliceOwner, appOwnedId, csrfToken);
        expect(response.statusCode, `${routeKey(route)} with ${String(csrfToken)}`).toBe(403);
      }
    }
    expect(await fingerprint(handle)).toEqual(before);
  });

  it('gives another organiser’s owner, on every route naming a resource, the 404 of one that does not exist, and nothing changes', async () => {
    const routes = appRoutesOf(app).filter((route) => route.path.includes('/:'));
    expect(routes.length).toBeGreaterThanOrEqual(5);
    const before = await fingerprint(handle);
    for (const route of routes) {
      const response = await appRequest(route, bobOwner, appOwnedId);
      expect(response.statusCode, `${routeKey(route)} → ${response.body.slice(0, 200)}`).toBe(404);
      const missing = await appRequest(route, bobOwner, () => NOBODY);
      expect(missing.statusCode, routeKey(route)).toBe(404);
      expect(missing.body.replace(/value="[^"]+"/g, ''), routeKey(route)).toBe(response.body.replace(/value="[^"]+"/g, ''));
    }
    expect(await fingerprint(handle)).toEqual(before);
    const settings = await appGet(app, bobOwner, '/app/settings');
    expect(settings.body).not.toContain(alice.id);
    expect(settings.body).not.toContain(aliceOwner.user.email);
  });

  it('lets the owner reach every one of the same resources (so the 404s above are about ownership alone)', async () => {
    // Removing and revoking last: they end what the routes after them would need. Signing out ends
    // the session it is asked with, so each sign-out gets a session of its own.
    const weight = (route: AppRoute) => (route.path.endsWith('/remove') || route.path.endsWith('/revoke') ? 1 : 0);
    const routes = appRoutesOf(app).sort((a, b) => weight(a) - weight(b));
    for (const route of routes) {
      const session = route.path.startsWith('/app/sign-out') ? await signIn(handle, { organiser: alice }) : aliceOwner;
      const response = await appRequest(route, session, appOwnedId);
      expect([400, 401, 403, 404], `${routeKey(route)} → ${response.statusCode} ${response.body.slice(0, 200)}`).not.toContain(response.statusCode);
      expect(response.statusCode, routeKey(route)).toBeLessThan(500);
    }
  });
});
