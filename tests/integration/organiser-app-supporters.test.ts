/**
 * A campaign's supporters in the organiser web app: search by the start of a name or address, filter
 * by status, keyset pages, and the CSV export (the API's own, byte for byte). Bad searches and page
 * links are told beside the field; another organiser's campaign is a 404.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { appGet, signIn, type AppSession } from '../support/app-session.js';
import { createPublishedCampaign, openTestDatabase, startApp, uniqueSuffix } from '../support/harness.js';
import { seedSupporters } from '../support/seed.js';

let app: FastifyInstance;
let handle: DatabaseHandle;
let owner: AppSession;
let campaign: { id: string; slug: string };
let tag: string;

beforeAll(async () => {
  app = await startApp();
  handle = openTestDatabase();
  owner = await signIn(handle);
  campaign = await createPublishedCampaign(app, owner.organiser);
  tag = uniqueSuffix();
  // 60 confirmed supporters, a page and a bit; then one pending and one unsubscribed.
  await seedSupporters(handle, campaign.id, 60, tag);
  await handle.pool.query(
    `UPDATE supporters SET status = 'unconfirmed', confirmed_at = NULL, name = 'Pending Person' WHERE campaign_id = $1 AND name = 'Supporter 1'`,
    [campaign.id],
  );
  await handle.pool.query(`UPDATE supporters SET unsubscribed_at = now(), name = 'Gone Person' WHERE campaign_id = $1 AND name = 'Supporter 2'`, [campaign.id]);
});
afterAll(async () => {
  await app?.close();
  await handle?.close();
});

/** The names in the table, in order. */
function namesIn(page: string): string[] {
  return [...page.matchAll(/<tr><th scope="row">([^<]+)<\/th>/g)].map((match) => match[1]!);
}

function nextLink(page: string): string | undefined {
  return /<a href="([^"]+)">Next page<\/a>/.exec(page)?.[1]?.replace(/&amp;/g, '&');
}

const url = (query = '') => `/app/campaigns/${campaign.id}/supporters${query}`;

describe('the supporters list', () => {
  it('pages through everyone newest first, 50 a page, each supporter once', async () => {
    const first = await appGet(app, owner, url());
    expect(first.statusCode).toBe(200);
    expect(namesIn(first.body)).toHaveLength(50);
    const second = await appGet(app, owner, nextLink(first.body)!);
    expect(namesIn(second.body)).toHaveLength(10);
    expect(nextLink(second.body)).toBeUndefined();
    expect(new Set([...namesIn(first.body), ...namesIn(second.body)]).size).toBe(60);
  });

  it('searches by the start of a name or an email address, and filters by status', async () => {
    expect(namesIn((await appGet(app, owner, url('?q=supporter+4'))).body).sort()).toEqual(['Supporter 4', 'Supporter 40', 'Supporter 41', 'Supporter 42', 'Supporter 43', 'Supporter 44', 'Supporter 45', 'Supporter 46', 'Supporter 47', 'Supporter 48', 'Supporter 49']);
    expect(namesIn((await appGet(app, owner, url(`?q=supporter-${tag}-17%40`))).body)).toEqual(['Supporter 17']);
    expect(namesIn((await appGet(app, owner, url('?status=pending'))).body)).toEqual(['Pending Person']);
    expect(namesIn((await appGet(app, owner, url('?status=unsubscribed'))).body)).toEqual(['Gone Person']);
    const confirmed = await appGet(app, owner, url('?status=confirmed&q=supporter+3'));
    expect(namesIn(confirmed.body)).toHaveLength(11);
    expect(confirmed.body).toContain('<option value="confirmed" selected>Confirmed</option>');
    expect((await appGet(app, owner, url('?q=nobody+at+all'))).body).toContain('No supporter matches this search.');
  });

  it('tells a search it cannot run beside its field, and a broken page link, without a list', async () => {
    const control = await appGet(app, owner, url('?q=a%01b'));
    expect(control.statusCode).toBe(400);
    expect(control.body).toContain('<span class="error" id="q-error"><span class="visually-hidden">Error:</span> Enter a name or email address on one line</span>');
    const cursor = await appGet(app, owner, url('?cursor=not-a-cursor'));
    expect(cursor.statusCode).toBe(400);
    expect(cursor.body).toContain('That page link is not valid any more.');
    expect(namesIn(cursor.body)).toEqual([]);
  });

  it('exports the confirmed supporters as the API’s CSV', async () => {
    const fromApp = await appGet(app, owner, url('/export.csv'));
    const fromApi = await app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}/supporters/export.csv`, headers: owner.organiser.auth });
    expect(fromApp.statusCode).toBe(200);
    expect(fromApp.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(fromApp.headers['content-disposition']).toBe(`attachment; filename="${campaign.slug}-supporters.csv"`);
    expect(fromApp.body).toBe(fromApi.body);
    expect(fromApp.body.split('\r\n').filter(Boolean)).toHaveLength(1 + 59);
  });

  it('is a 404 for another organiser, like the API', async () => {
    const stranger = await signIn(handle);
    expect((await appGet(app, stranger, url())).statusCode).toBe(404);
    expect((await appGet(app, stranger, url('/export.csv'))).statusCode).toBe(404);
  });
});
