/**
 * The suppression list in the API, against the real stack: an organiser lists what stops its mail
 * (with the address of its own supporters, the campaign and the source), looks an address up,
 * exports, and lifts a suppression of its own with a reason, recorded, after which the next broadcast
 * reaches the person again. Another organiser sees nothing of it: not the address, the campaign or
 * the row, only, for an address it looks up itself, that it is suppressed everywhere and why.
 */
import { broadcastMessageIdPrefix } from '../../src/mail/message-id.js';
import { describe, expect, it } from 'vitest';
import { addSuppression } from '../../src/suppressions/suppressions.js';
import { emailHash } from '../../src/supporters/email-address.js';
import { createPublishedCampaign, newOrganiser, uniqueSuffix, waitForValue, type Stack, type TestOrganiser } from '../support/harness.js';
import { seedSupporters } from '../support/seed.js';
import { useTestStack } from '../support/test-stack.js';

const FAST = { SWEEP_INTERVAL_SECONDS: '1', DELIVERY_RETRY_BASE_SECONDS: '1', BROADCAST_PARALLELISM: '2' };
const { stack, handle, organiser } = useTestStack({ env: FAST, organiser: 'UNA-UK' });

const address = (tag: string, n: number) => `supporter-${tag}-${n}@example.org`;

async function api(who: TestOrganiser, method: 'GET' | 'DELETE', url: string, payload?: unknown) {
  return stack.app.inject({ method, url, headers: who.auth, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
}

/** Sends an update to the campaign's audience and returns who received it once it completed. */
async function broadcastReaches(app: Stack['app'], campaignId: string): Promise<string[]> {
  const created = await app.inject({
    method: 'POST',
    url: `/api/v1/campaigns/${campaignId}/broadcasts`,
    headers: organiser.auth,
    payload: { kind: 'update', subject: 'News', body: 'Dear {{ supporter.name }}, news.\n\n[Unsubscribe]({{ unsubscribe_url }})' },
  });
  expect(created.statusCode, created.body).toBe(201);
  const { id } = created.json<{ id: string }>();
  await app.inject({ method: 'POST', url: `/api/v1/broadcasts/${id}/start`, headers: organiser.auth });
  await waitForValue(
    async () => (await app.inject({ method: 'GET', url: `/api/v1/broadcasts/${id}`, headers: organiser.auth })).json<{ status: string }>().status,
    (status) => status === 'completed',
    'the broadcast to complete',
  );
  return stack.sink.received.filter((mail) => mail.header('message-id')?.startsWith(broadcastMessageIdPrefix(id, stack.config.SECRET_KEY))).flatMap((mail) => mail.envelopeTo);
}

describe('the suppressions an organiser’s own mail caused', () => {
  it('are listed with the address, the campaign and the source, but cannot be lifted by one organisation', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const tag = uniqueSuffix();
    await seedSupporters(handle, campaign.id, 3, tag);
    stack.sink.refuse(address(tag, 1), 550, '5.1.1 No such user');
    expect(await broadcastReaches(stack.app, campaign.id)).toHaveLength(2);

    const lookup = await api(organiser, 'GET', `/api/v1/suppressions?email=${encodeURIComponent(address(tag, 1).toUpperCase())}`);
    expect(lookup.statusCode, lookup.body).toBe(200);
    const found = lookup.json();
    expect(found.lookup).toEqual({ email: address(tag, 1), suppressed: true, everywhere: { reason: 'hard_bounce' } });
    expect(found.items).toEqual([
      expect.objectContaining({
        email: address(tag, 1),
        scope: 'everywhere',
        reason: 'hard_bounce',
        source: 'smtp',
        campaign: { id: campaign.id, title: 'The Responsibility to Protect in Syria' },
        removable: false,
      }),
    ]);
    const suppressionId: string = found.items[0].id;

    const list = (await api(organiser, 'GET', '/api/v1/suppressions?limit=500')).json();
    expect(list.items).toContainEqual(expect.objectContaining({ id: suppressionId, email: address(tag, 1), source: 'smtp' }));

    const refused = await api(organiser, 'DELETE', `/api/v1/suppressions/${suppressionId}`, { reason: 'They told us the address works now' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('suppressed_everywhere');
    expect((await api(organiser, 'GET', `/api/v1/suppressions?email=${address(tag, 1)}`)).json().lookup.suppressed).toBe(true);

    // Another organiser: nothing of it in its list, its export or its lookup but the reason.
    const other = await newOrganiser(handle, 'Another organisation');
    const theirs = await api(other, 'GET', '/api/v1/suppressions?limit=500');
    expect(theirs.json().items).toEqual([]);
    const theirLookup = await api(other, 'GET', `/api/v1/suppressions?email=${address(tag, 1)}`);
    expect(theirLookup.json()).toEqual({
      items: [],
      nextCursor: null,
      lookup: { email: address(tag, 1), suppressed: true, everywhere: { reason: 'hard_bounce' } },
    });
    const theirExport = await api(other, 'GET', '/api/v1/suppressions/export.csv');
    expect(theirExport.body.trim().split('\r\n')).toHaveLength(1);
    for (const response of [theirs, theirLookup, theirExport]) {
      expect(response.body).not.toContain(campaign.id);
      expect(response.body).not.toContain(suppressionId);
    }
    expect((await api(other, 'DELETE', `/api/v1/suppressions/${suppressionId}`, { reason: 'Not theirs' })).statusCode).toBe(404);

    const csv = await api(organiser, 'GET', '/api/v1/suppressions/export.csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\r\n')[0]).toBe('"id","email","scope","reason","source","campaign_id","campaign_title","detail","suppressed_at"');
    expect(csv.body).toContain(`"${suppressionId}","${address(tag, 1)}","everywhere","hard_bounce","smtp","${campaign.id}"`);
  });

  it('never show an erasure or another organisation’s, and a person’s own unsubscribe stays theirs to undo', async () => {
    const tag = uniqueSuffix();
    await addSuppression(handle.db, { email: address(tag, 1), organiserId: null, reason: 'erasure', source: 'erasure' });
    const other = await newOrganiser(handle, 'Another organisation');
    await addSuppression(handle.db, { email: address(tag, 2), organiserId: other.id, reason: 'complaint', source: 'complaint' });
    await addSuppression(handle.db, { email: address(tag, 3), organiserId: organiser.id, reason: 'unsubscribe_all', source: 'unsubscribe' });

    const erased = (await api(organiser, 'GET', `/api/v1/suppressions?email=${address(tag, 1)}`)).json();
    expect(erased).toMatchObject({ items: [], lookup: { suppressed: true, everywhere: { reason: 'erasure' } } });
    const othersComplaint = (await api(organiser, 'GET', `/api/v1/suppressions?email=${address(tag, 2)}`)).json();
    expect(othersComplaint).toMatchObject({ items: [], lookup: { suppressed: false, everywhere: null } });

    const unsubscribed = (await api(organiser, 'GET', `/api/v1/suppressions?email=${address(tag, 3)}`)).json();
    expect(unsubscribed.items).toEqual([expect.objectContaining({ scope: 'organisation', reason: 'unsubscribe_all', source: 'unsubscribe', removable: false })]);
    const refused = await api(organiser, 'DELETE', `/api/v1/suppressions/${unsubscribed.items[0].id}`, { reason: 'Please mail them' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('unsubscribed_by_the_person');
  });
});

describe('lifting a suppression of the organiser’s own', () => {
  it('is recorded with its reason, and the next broadcast reaches the person again', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const tag = uniqueSuffix();
    await seedSupporters(handle, campaign.id, 3, tag);
    // A complaint kept for this organisation only, as a feedback report's intake records one.
    await addSuppression(handle.db, { email: address(tag, 2), organiserId: organiser.id, reason: 'complaint', source: 'complaint', campaignId: campaign.id });
    expect((await broadcastReaches(stack.app, campaign.id)).sort()).toEqual([address(tag, 1), address(tag, 3)]);

    const found = (await api(organiser, 'GET', `/api/v1/suppressions?email=${address(tag, 2)}`)).json();
    expect(found.lookup).toEqual({ email: address(tag, 2), suppressed: true, everywhere: null });
    expect(found.items).toEqual([expect.objectContaining({ scope: 'organisation', reason: 'complaint', source: 'complaint', removable: true })]);
    const id: string = found.items[0].id;

    // Bad input changes nothing.
    const other = await newOrganiser(handle, 'Another organisation');
    const attempts: Array<[string, unknown, number, string | undefined]> = [
      [id, undefined, 400, undefined],
      [id, {}, 400, 'reason'],
      [id, { reason: '   ' }, 400, 'reason'],
      [id, { reason: 'two\nlines' }, 400, 'reason'],
      [id, { reason: 'x'.repeat(501) }, 400, 'reason'],
      [id, { reason: 'fine', also: 'unknown' }, 400, undefined],
      ['not-an-id', { reason: 'fine' }, 400, 'id'],
      [crypto.randomUUID(), { reason: 'fine' }, 404, undefined],
    ];
    for (const [target, body, status, field] of attempts) {
      const response = await api(organiser, 'DELETE', `/api/v1/suppressions/${target}`, body);
      expect(response.statusCode, `${JSON.stringify(body)}: ${response.body}`).toBe(status);
      expect(response.json().error.code).toBeTypeOf('string');
      if (field) expect(response.json().error.field).toBe(field);
    }
    expect((await api(other, 'DELETE', `/api/v1/suppressions/${id}`, { reason: 'fine' })).statusCode).toBe(404);
    expect((await api(organiser, 'GET', `/api/v1/suppressions?email=${address(tag, 2)}`)).json().lookup.suppressed).toBe(true);

    const lifted = await api(organiser, 'DELETE', `/api/v1/suppressions/${id}`, { reason: 'She wrote asking for the updates again' });
    expect(lifted.statusCode, lifted.body).toBe(200);
    expect(lifted.json()).toMatchObject({ suppressionId: id, reason: 'She wrote asking for the updates again' });
    expect((await api(organiser, 'DELETE', `/api/v1/suppressions/${id}`, { reason: 'again' })).statusCode).toBe(404);
    expect((await api(organiser, 'GET', `/api/v1/suppressions?email=${address(tag, 2)}`)).json()).toMatchObject({ items: [], lookup: { suppressed: false } });

    const { rows } = await handle.pool.query(
      `SELECT r.*, k.organiser_id AS key_organiser FROM suppression_removals r JOIN api_keys k ON k.id = r.removed_by_api_key_id WHERE r.suppression_id = $1`,
      [id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      organiser_id: organiser.id,
      key_organiser: organiser.id,
      removed_by_user_id: null,
      reason: 'She wrote asking for the updates again',
      suppression_reason: 'complaint',
      suppression_source: 'complaint',
      campaign_id: campaign.id,
    });
    expect(Buffer.from(rows[0].email_hash).equals(emailHash(address(tag, 2)))).toBe(true);

    expect((await broadcastReaches(stack.app, campaign.id)).sort()).toEqual([address(tag, 1), address(tag, 2), address(tag, 3)]);
  });
});

describe('the list', () => {
  it('pages newest first with a cursor, and refuses bad queries with the field named', async () => {
    const tag = uniqueSuffix();
    const paged = await newOrganiser(handle, 'Paged organisation');
    for (let n = 1; n <= 3; n++) {
      await addSuppression(handle.db, { email: address(tag, n), organiserId: paged.id, reason: 'complaint', source: 'complaint' });
    }
    const first = (await api(paged, 'GET', '/api/v1/suppressions?limit=2')).json();
    expect(first.items.map((item: { email: string | null }) => item.email)).toEqual([null, null]);
    expect(first.nextCursor).toBeTypeOf('string');
    const second = (await api(paged, 'GET', `/api/v1/suppressions?limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.items, ...second.items].map((item: { id: string }) => item.id);
    expect(new Set(ids).size).toBe(3);

    const bad: Array<[string, string]> = [
      ['?email=not-an-address', 'email'],
      ['?email=', 'email'],
      ['?limit=0', 'limit'],
      ['?limit=501', 'limit'],
      ['?cursor=garbage', 'cursor'],
      [`?email=${address(tag, 1)}&cursor=${first.nextCursor}`, 'cursor'],
      ['?colour=red', 'colour'],
    ];
    for (const [query, field] of bad) {
      const response = await api(paged, 'GET', `/api/v1/suppressions${query}`);
      expect(response.statusCode, `${query}: ${response.body}`).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'validation_failed', field });
    }
    const anonymous = await stack.app.inject({ method: 'GET', url: '/api/v1/suppressions' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('unauthorized');
  });
});
