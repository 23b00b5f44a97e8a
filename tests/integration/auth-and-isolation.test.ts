import { beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKey } from '../../src/organisers/organiser-service.js';
import { displayPrefixOf } from '../../src/organisers/api-keys.js';
import { campaignBody, newOrganiser, type TestOrganiser } from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';

const { app, handle, organiser: alice } = useTestStack({ runs: 'app', organiser: 'Alice' });
let bob: TestOrganiser;
let aliceCampaignId: string;

beforeAll(async () => {
  bob = await newOrganiser(handle, 'Bob');
  const created = await app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: alice.auth, payload: campaignBody() });
  aliceCampaignId = created.json().id;
});

/** Every organiser route, with a request body that would succeed for the campaign's owner. */
interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  payload?: object;
}

function organiserRoutes(campaignId: string): Route[] {
  return [
    { method: 'GET', url: '/api/v1/campaigns' },
    { method: 'POST', url: '/api/v1/campaigns', payload: campaignBody() },
    { method: 'GET', url: `/api/v1/campaigns/${campaignId}` },
    { method: 'PATCH', url: `/api/v1/campaigns/${campaignId}`, payload: { title: 'Taken over' } },
    { method: 'POST', url: `/api/v1/campaigns/${campaignId}/publish` },
    { method: 'POST', url: `/api/v1/campaigns/${campaignId}/close` },
    { method: 'DELETE', url: `/api/v1/campaigns/${campaignId}` },
  ];
}

async function campaignRow(id: string) {
  const { rows } = await handle.pool.query('SELECT * FROM campaigns WHERE id = $1', [id]);
  return rows[0] as Record<string, unknown> | undefined;
}

async function campaignCount(): Promise<number> {
  const { rows } = await handle.pool.query<{ n: string }>('SELECT count(*) AS n FROM campaigns');
  return Number(rows[0]!.n);
}

describe('organiser authentication', () => {
  const badHeaders: Array<[string, Record<string, string>]> = [
    ['no Authorization header', {}],
    ['an empty bearer token', { authorization: 'Bearer ' }],
    ['a Basic credential', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['a key that was never issued', { authorization: `Bearer clk_${'A'.repeat(43)}` }],
    ['a malformed key', { authorization: 'Bearer not-a-key' }],
  ];

  it.each(badHeaders)('answers 401 to %s on every organiser route, changing nothing', async (_what, headers) => {
    const before = await campaignRow(aliceCampaignId);
    const count = await campaignCount();
    for (const route of organiserRoutes(aliceCampaignId)) {
      const response = await app.inject({ ...route, headers });
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(response.json().error.code).toBe('unauthorized');
      expect(response.headers['www-authenticate']).toBe('Bearer');
    }
    expect(await campaignRow(aliceCampaignId)).toEqual(before);
    expect(await campaignCount()).toBe(count);
  });

  it('accepts the scheme case-insensitively, and stops accepting a revoked key', async () => {
    const carol = await newOrganiser(handle, 'Carol');
    const lower = await app.inject({ method: 'GET', url: '/api/v1/campaigns', headers: { authorization: `bearer ${carol.apiKey}` } });
    expect(lower.statusCode).toBe(200);

    expect(await revokeApiKey(handle.db, displayPrefixOf(carol.apiKey))).toBe(1);
    const revoked = await app.inject({ method: 'GET', url: '/api/v1/campaigns', headers: carol.auth });
    expect(revoked.statusCode).toBe(401);
  });

  it('stores API keys only as hashes', async () => {
    const { rows } = await handle.pool.query<{ key_hash: Buffer; key_prefix: string }>(
      'SELECT k.key_hash, k.key_prefix FROM api_keys k WHERE k.organiser_id = $1',
      [alice.id],
    );
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows[0]);
    expect(stored).not.toContain(alice.apiKey);
    expect(stored).not.toContain(alice.apiKey.slice(12));
    expect(rows[0]!.key_hash).toHaveLength(32);
  });
});

describe('one organiser cannot see or touch another’s campaign', () => {
  it('answers 404 (never 403) to every route on someone else’s campaign, and changes nothing', async () => {
    const before = await campaignRow(aliceCampaignId);
    for (const route of organiserRoutes(aliceCampaignId).filter((r) => r.url.includes(aliceCampaignId))) {
      const response = await app.inject({ ...route, headers: bob.auth });
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(404);
      expect(response.json().error).toEqual({ code: 'not_found', message: 'Campaign not found' });
    }
    expect(await campaignRow(aliceCampaignId)).toEqual(before);
  });

  it('gives the same 404 for a campaign that does not exist at all', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/campaigns/00000000-0000-4000-8000-000000000000',
      headers: bob.auth,
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toEqual({ code: 'not_found', message: 'Campaign not found' });
  });

  it('lists only the organiser’s own campaigns', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/campaigns?limit=100', headers: bob.auth });
    expect(response.json().items.map((c: { id: string }) => c.id)).not.toContain(aliceCampaignId);
  });

  it('refuses a campaign id that is not a UUID with 400 naming the id', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/campaigns/42', headers: alice.auth });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'validation_failed', field: 'id' });
  });
});
