/**
 * Broadcasts in the organiser web app, on the API's broadcast service: composing an update (errors
 * beside the fields, nothing saved), the question before starting with the audience count, who may
 * act (owners; an editor's POST is 403, as is any POST without the CSRF token), who did not get it
 * (search, keyset pages, bad input beside the field), the progress stream behind the session, and the
 * campaign timeline naming who acted, or "via the API".
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { appGet, appPost, signIn, type AppSession } from '../support/app-session.js';
import { createPublishedCampaign, openTestDatabase, startApp, uniqueSuffix } from '../support/harness.js';
import { countRows, seedSupporters } from '../support/seed.js';

let app: FastifyInstance;
let handle: DatabaseHandle;
let owner: AppSession;
let editor: AppSession;
let campaign: { id: string; slug: string };

beforeAll(async () => {
  app = await startApp();
  handle = openTestDatabase();
  owner = await signIn(handle, { name: 'Ann Owner' });
  editor = await signIn(handle, { organiser: owner.organiser, role: 'editor' });
  campaign = await createPublishedCampaign(app, owner.organiser);
  // 12 confirmed supporters, one of whom unsubscribed: the audience is 11.
  await seedSupporters(handle, campaign.id, 12, uniqueSuffix());
  await handle.pool.query(`UPDATE supporters SET unsubscribed_at = now() WHERE campaign_id = $1 AND name = 'Supporter 12'`, [campaign.id]);
});
afterAll(async () => {
  await app?.close();
  await handle?.close();
});

const compose = (form: Record<string, string>, session = owner) =>
  appPost(app, session, `/app/campaigns/${campaign.id}/broadcasts`, { subject: 'News about the letter', body: 'Dear {{ supporter.first_name }},\n\nThe letter went.', sendAt: '', ...form }, {});

async function newDraft(form: Record<string, string> = {}): Promise<string> {
  const response = await compose(form);
  expect(response.statusCode, response.body.slice(0, 500)).toBe(303);
  return /\/app\/broadcasts\/([0-9a-f-]{36})/.exec(String(response.headers.location))![1]!;
}

const statusOf = async (id: string) => (await handle.pool.query<{ status: string }>('SELECT status FROM broadcasts WHERE id = $1', [id])).rows[0]!.status;
const broadcastCount = () => countRows(handle, 'SELECT count(*) AS n FROM broadcasts WHERE campaign_id = $1', [campaign.id]);

describe('composing an update', () => {
  it('saves a draft and shows it with its preview, the test and the way to start it', async () => {
    const id = await newDraft();
    const page = await appGet(app, owner, `/app/broadcasts/${id}?done=created`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('saved as a draft');
    expect(page.body).toContain('Dear Jane,');
    expect(page.body).toContain('Send a test to me');
    expect(page.body).toContain(`href="/app/broadcasts/${id}/start"`);
    expect(await statusOf(id)).toBe('draft');
  });

  it('shows an invalid Liquid template beside the field, with its line, and saves nothing', async () => {
    const before = await broadcastCount();
    const response = await compose({ body: 'Dear {{ supporter.first_name }},\n\nSigned {{ supporter.nmae }}' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('There is a problem');
    const beside = /<span class="error" id="body-error">([\s\S]*?)<\/span>\s*<textarea id="body"/.exec(response.body);
    expect(beside?.[1]).toMatch(/supporter\.nmae/);
    expect(beside?.[1]).toMatch(/line 3/);
    // What was typed comes back to be fixed.
    expect(response.body).toContain('Signed {{ supporter.nmae }}</textarea>');
    expect(await broadcastCount()).toBe(before);
  });

  it('refuses a send time in the past, or one that is no time, beside the field', async () => {
    const before = await broadcastCount();
    for (const sendAt of ['2020-01-01T09:00', '2026-02-30T09:00', 'tomorrow']) {
      const response = await compose({ sendAt });
      expect(response.statusCode).toBe(400);
      expect(response.body).toMatch(/<span class="error" id="sendAt-error"><span class="visually-hidden">Error:<\/span> Enter (a time in the future|a date and time)/);
    }
    expect(await broadcastCount()).toBe(before);
  });

  it('refuses an empty subject beside its field', async () => {
    const response = await compose({ subject: '   ' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('id="subject-error"');
  });

  it('previews what is typed, for the script as a fragment', async () => {
    const response = await appPost(app, owner, `/app/campaigns/${campaign.id}/broadcasts/preview?fragment=1`, { subject: 'Hello {{ supporter.name }}', body: 'Hi', sendAt: '' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Hello Jane Ó Briain');
    expect(response.body).not.toContain('<html');
  });
});

describe('starting', () => {
  it('asks first, with the audience count, then starts and records who did it', async () => {
    const id = await newDraft({ subject: 'Started from the app' });
    const ask = await appGet(app, owner, `/app/broadcasts/${id}/start`);
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('Send this update to 11 supporters?');
    expect(await statusOf(id)).toBe('draft');
    const started = await appPost(app, owner, `/app/broadcasts/${id}/start`);
    expect(started.statusCode).toBe(303);
    expect(await statusOf(id)).toBe('sending');
    const overview = await appGet(app, owner, `/app/campaigns/${campaign.id}`);
    expect(overview.body).toMatch(/Update <a href="\/app\/broadcasts\/[0-9a-f-]+">“Started from the app”<\/a> started by Ann Owner/);
  });

  it('says "via the API" for an action taken with an API key', async () => {
    const id = await newDraft({ subject: 'Started by the API' });
    const response = await app.inject({ method: 'POST', url: `/api/v1/broadcasts/${id}/start`, headers: owner.organiser.auth });
    expect(response.statusCode).toBe(200);
    const overview = await appGet(app, owner, `/app/campaigns/${campaign.id}`);
    expect(overview.body).toMatch(/“Started by the API”<\/a> started via the API/);
  });

  it('schedules a draft with a send time, and asks in those words', async () => {
    const id = await newDraft({ subject: 'Later', sendAt: '2099-06-01T09:30' });
    const ask = await appGet(app, owner, `/app/broadcasts/${id}/start`);
    expect(ask.body).toContain('Schedule this update for 1 June 2099 at 09:30?');
    await appPost(app, owner, `/app/broadcasts/${id}/start`);
    expect(await statusOf(id)).toBe('scheduled');
    // 09:30 in London in June is 08:30 UTC.
    const { rows } = await handle.pool.query<{ at: Date }>('SELECT scheduled_at AS at FROM broadcasts WHERE id = $1', [id]);
    expect(rows[0]!.at.toISOString()).toBe('2099-06-01T08:30:00.000Z');
  });

  it('refuses a start without the CSRF token (403) and changes nothing', async () => {
    const id = await newDraft();
    const response = await appPost(app, owner, `/app/broadcasts/${id}/start`, {}, { csrfToken: null });
    expect(response.statusCode).toBe(403);
    const forged = await appPost(app, owner, `/app/broadcasts/${id}/start`, {}, { csrfToken: editor.csrfToken });
    expect(forged.statusCode).toBe(403);
    expect(await statusOf(id)).toBe('draft');
  });

  it('lets an editor see but not act: every POST is 403 and changes nothing', async () => {
    const id = await newDraft();
    const page = await appGet(app, editor, `/app/broadcasts/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Send a test to me');
    expect(page.body).toContain('Only an owner of your organisation');
    const before = await broadcastCount();
    for (const url of [`/app/broadcasts/${id}/start`, `/app/broadcasts/${id}/cancel`, `/app/broadcasts/${id}/test`, `/app/broadcasts/${id}/pause`]) {
      expect((await appPost(app, editor, url)).statusCode, url).toBe(403);
    }
    expect((await appGet(app, editor, `/app/broadcasts/${id}/start`)).statusCode).toBe(403);
    expect((await compose({}, editor)).statusCode).toBe(403);
    expect(await broadcastCount()).toBe(before);
    expect(await statusOf(id)).toBe('draft');
  });

  it('writes a test to yourself to the one-to-one mail ledger, addressed to the signed-in user', async () => {
    const id = await newDraft();
    const response = await appPost(app, owner, `/app/broadcasts/${id}/test`);
    expect(response.statusCode).toBe(303);
    const { rows } = await handle.pool.query('SELECT kind, recipient, about_id FROM transactional_messages WHERE about_id = $1', [id]);
    expect(rows).toEqual([{ kind: 'broadcast_test', recipient: owner.user.email, about_id: id }]);
  });

  it('cancels only after asking, and an action that does not fit the state is a 409 page', async () => {
    const id = await newDraft();
    expect((await appGet(app, owner, `/app/broadcasts/${id}/cancel`)).body).toContain('Discard this draft?');
    expect((await appPost(app, owner, `/app/broadcasts/${id}/cancel`)).statusCode).toBe(303);
    expect(await statusOf(id)).toBe('cancelled');
    const resume = await appPost(app, owner, `/app/broadcasts/${id}/resume`);
    expect(resume.statusCode).toBe(409);
    expect(resume.body).toContain('Cannot resume a broadcast that is cancelled');
  });

  it('is a 404 for another organiser’s broadcast and campaign', async () => {
    const id = await newDraft();
    const stranger = await signIn(handle);
    expect((await appGet(app, stranger, `/app/broadcasts/${id}`)).statusCode).toBe(404);
    expect((await appGet(app, stranger, `/app/broadcasts/${id}/events`)).statusCode).toBe(404);
    expect((await appPost(app, stranger, `/app/broadcasts/${id}/start`)).statusCode).toBe(404);
    expect((await appGet(app, stranger, `/app/campaigns/${campaign.id}/broadcasts`)).statusCode).toBe(404);
    expect(await statusOf(id)).toBe('draft');
  });
});

describe('who did not get it', () => {
  let id: string;
  beforeAll(async () => {
    id = await newDraft({ subject: 'Partly refused' });
    await appPost(app, owner, `/app/broadcasts/${id}/cancel`);
    // A finished broadcast's ledger as the workers leave it: 60 refused, written directly.
    const tag = uniqueSuffix();
    const other = await createPublishedCampaign(app, owner.organiser);
    await seedSupporters(handle, other.id, 60, tag);
    await handle.pool.query(`UPDATE broadcasts SET campaign_id = $2, status = 'completed', completed_at = now() WHERE id = $1`, [id, other.id]);
    await handle.pool.query(
      `INSERT INTO deliveries (broadcast_id, supporter_id, status, attempts, last_response)
       SELECT $1, s.id, CASE WHEN s.name = 'Supporter 7' THEN 'bounced' ELSE 'failed' END::delivery_status, 3,
         CASE WHEN s.name = 'Supporter 7' THEN '550 5.1.1 No such user' ELSE '554 5.7.1 Message refused' END
       FROM supporters s WHERE s.campaign_id = $2`,
      [id, other.id],
    );
  });

  const rowsOf = (body: string) => [...body.matchAll(/<tr><th scope="row">([^<]+)<\/th><td>([^<]+)<\/td><td>([^<]+)<\/td><td class="smtp-answer">([^<]*)<\/td><td class="number">(\d+)<\/td>/g)];

  it('lists them with the SMTP answer and the attempts, 50 a page by keyset', async () => {
    const first = await appGet(app, owner, `/app/broadcasts/${id}`);
    expect(first.statusCode).toBe(200);
    const rows = rowsOf(first.body);
    expect(rows).toHaveLength(50);
    const bounced = rows.find((row) => row[1] === 'Supporter 7')!;
    expect(bounced.slice(3, 6)).toEqual(['Bounced', '550 5.1.1 No such user', '3']);
    const next = /<a href="([^"]+)">Next page<\/a>/.exec(first.body)![1]!.replace(/&amp;/g, '&');
    const second = await appGet(app, owner, next);
    const more = rowsOf(second.body);
    expect(more).toHaveLength(10);
    expect(new Set([...rows, ...more].map((row) => row[2])).size).toBe(60);
  });

  it('searches by the start of a name or an address', async () => {
    const byName = rowsOf((await appGet(app, owner, `/app/broadcasts/${id}?q=supporter+7`)).body);
    expect(byName.map((row) => row[1]).sort()).toEqual(['Supporter 7']);
    const byAddress = rowsOf((await appGet(app, owner, `/app/broadcasts/${id}?q=${encodeURIComponent('supporter-')}`)).body);
    expect(byAddress.length).toBe(50);
  });

  it('refuses a search that is too long, or a page link that is not one, beside the field', async () => {
    const long = await appGet(app, owner, `/app/broadcasts/${id}?q=${'a'.repeat(255)}`);
    expect(long.statusCode).toBe(400);
    expect(long.body).toMatch(/<span class="error" id="q-error"><span class="visually-hidden">Error:<\/span> Enter at most 254 characters/);
    expect(rowsOf(long.body)).toHaveLength(0);
    const bad = await appGet(app, owner, `/app/broadcasts/${id}?after=x'--`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('That page link is not valid any more.');
  });

  it('streams the progress as server-sent events behind the session, the API’s figures', async () => {
    const stream = await appGet(app, owner, `/app/broadcasts/${id}/events`);
    expect(stream.statusCode).toBe(200);
    expect(stream.headers['content-type']).toContain('text/event-stream');
    const data = JSON.parse(/^data: (.*)$/m.exec(stream.body)![1]!);
    const api = await app.inject({ method: 'GET', url: `/api/v1/broadcasts/${id}`, headers: owner.organiser.auth });
    expect(data).toEqual(api.json());
    expect(data.counts).toMatchObject({ total: 60, failed: 59, bounced: 1, pending: 0 });
    const signedOut = await appGet(app, undefined, `/app/broadcasts/${id}/events`);
    expect(signedOut.statusCode).toBe(303);
  });

  it('renders the same figures without script: the bar at 100%', async () => {
    const page = (await appGet(app, owner, `/app/broadcasts/${id}`)).body;
    expect(page).toMatch(/<progress class="progress-bar" id="progress-bar" aria-labelledby="progress-label" max="60" value="60">/);
    expect(page).toContain('<span data-field="percent">100</span>% done');
  });
});
