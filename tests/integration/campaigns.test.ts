import { describe, expect, it } from 'vitest';
import { makePurgeCampaign } from '../../src/campaigns/campaign-purge.js';
import { campaignBody, newOrganiser, type TestOrganiser } from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';

const { app, handle, organiser } = useTestStack({ runs: 'app' });

async function create(body: unknown = campaignBody(), who: TestOrganiser = organiser) {
  return app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: who.auth, payload: body as object });
}

async function createOk(overrides: Record<string, unknown> = {}) {
  const response = await create(campaignBody(overrides));
  expect(response.statusCode).toBe(201);
  return response.json<{ id: string; slug: string; status: string }>();
}

async function countRows(text: string, values: unknown[]): Promise<number> {
  const { rows } = await handle.pool.query<{ n: string }>(text, values);
  return Number(rows[0]!.n);
}

async function countCampaigns(who: TestOrganiser = organiser): Promise<number> {
  const { rows } = await handle.pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM campaigns WHERE organiser_id = $1',
    [who.id],
  );
  return Number(rows[0]!.n);
}

describe('creating a campaign', () => {
  it('returns 201 with the whole campaign, its reply address and public URL', async () => {
    const body = campaignBody();
    const response = await create(body);
    expect(response.statusCode).toBe(201);
    const campaign = response.json();
    expect(response.headers.location).toBe(`/api/v1/campaigns/${campaign.id}`);
    expect(campaign).toMatchObject({
      slug: body.slug,
      title: body.title,
      summary: body.summary,
      status: 'draft',
      letter: body.letter,
      target: body.target,
      sender: body.sender,
      replyPolicy: { mode: 'auto', allowedSenders: ['fco.gov.example'] },
      publicUrl: `https://letters.example.org/c/${body.slug}`,
      publishedAt: null,
      closedAt: null,
    });
    expect(campaign.replyAddress).toMatch(/^reply\+[0-9a-f]{20}@replies\.example\.org$/);

    const fetched = await app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}`, headers: organiser.auth });
    expect(fetched.json()).toEqual({ ...campaign, letterProblem: null });
  });

  it('keeps Unicode (en dash, curly quotes) exactly as sent', async () => {
    const campaign = await createOk();
    const fetched = await app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}`, headers: organiser.auth });
    expect(fetched.json().letter.body).toContain('“Responsibility to Protect”');
    expect(fetched.json().sender.name).toBe('United Nations Association – UK');
  });

  it('defaults the reply policy to approval with nobody allowed, and normalises allowed senders', async () => {
    const { replyPolicy: _omitted, ...withoutPolicy } = campaignBody();
    const response = await create(withoutPolicy);
    expect(response.json().replyPolicy).toEqual({ mode: 'approve', allowedSenders: [] });

    const normalised = await create(
      campaignBody({ replyPolicy: { mode: 'approve', allowedSenders: ['@FCO.gov.example', 'Minister@fco.gov.example', 'fco.gov.example'] } }),
    );
    expect(normalised.json().replyPolicy.allowedSenders).toEqual(['fco.gov.example', 'minister@fco.gov.example']);
  });

  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ['a missing slug', { slug: undefined }, 'slug'],
    ['an upper-case slug', { slug: 'Protect-Civilians' }, 'slug'],
    ['a slug with spaces', { slug: 'protect civilians' }, 'slug'],
    ['a too short slug', { slug: 'ab' }, 'slug'],
    ['an empty title', { title: '   ' }, 'title'],
    ['a title over 200 characters', { title: 'x'.repeat(201) }, 'title'],
    ['a missing letter', { letter: undefined }, 'letter'],
    ['a letter without body', { letter: { subject: 'Hello' } }, 'letter.body'],
    ['a blank letter body', { letter: { subject: 'Hello', body: ' \n ' } }, 'letter.body'],
    ['a subject with a line break (header injection)', { letter: { subject: 'Hi\r\nBcc: all@example.org', body: 'b' } }, 'letter.subject'],
    ['a target email that is not an address', { target: { name: 'Minister', email: 'not-an-email' } }, 'target.email'],
    ['a target name with a NUL byte', { target: { name: 'Min\u0000ister', email: 'm@gov.example' } }, 'target.name'],
    ['a sender name with a line break', { sender: { name: 'UNA\nBcc: x@example.org', email: 'a@una.example' } }, 'sender.name'],
    ['a missing sender email', { sender: { name: 'UNA-UK' } }, 'sender.email'],
    ['an unknown reply mode', { replyPolicy: { mode: 'sometimes', allowedSenders: [] } }, 'replyPolicy.mode'],
    ['auto-forwarding with nobody allowed', { replyPolicy: { mode: 'auto', allowedSenders: [] } }, 'replyPolicy.allowedSenders'],
    ['an allowed sender that is neither address nor domain', { replyPolicy: { mode: 'approve', allowedSenders: ['not a domain'] } }, 'replyPolicy.allowedSenders.0'],
    ['a summary with an escape character', { summary: 'Hello \u001b[31m' }, 'summary'],
    ['an unknown top-level field', { colour: 'red' }, 'colour'],
    ['an unknown nested field', { target: { name: 'Minister', email: 'm@gov.example', phone: '123' } }, 'target.phone'],
    ['a title of the wrong type', { title: 42 }, 'title'],
  ];

  it.each(invalid)('refuses %s with 400 naming the field, and creates nothing', async (_what, overrides, field) => {
    const before = await countCampaigns();
    const response = await create(campaignBody(overrides));
    expect(response.statusCode).toBe(400);
    const error = response.json().error;
    expect(error.code).toBe('validation_failed');
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
    expect(await countCampaigns()).toBe(before);
  });

  it.each([
    ['an unknown merge field', { subject: 'Hello', body: 'Dear Minister,\n\nYours, {{ supporter.nmae }}' }, 'letter.body', 'unknown merge field "supporter.nmae"'],
    ['an unknown filter', { subject: '{{ campaign.title | shout }}', body: 'Text' }, 'letter.subject', 'undefined filter: shout (line 1, column 1)'],
    ['an unclosed tag', { subject: 'Hello', body: 'Text\n{% if supporter.postcode %}\nmore' }, 'letter.body', 'not closed'],
    ['an include of a file', { subject: 'Hello', body: "{% include '/etc/passwd' %}" }, 'letter.body', 'not allowed'],
  ])('refuses a letter with %s with 422 naming the field and place, creating nothing', async (_what, letter, field, message) => {
    const before = await countCampaigns();
    const response = await create(campaignBody({ letter }));
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({ code: 'invalid_template', field });
    expect(response.json().error.message).toContain(message);
    expect(await countCampaigns()).toBe(before);
  });

  it('says where in the letter the problem is', async () => {
    const response = await create(campaignBody({ letter: { subject: 'Hi', body: 'Dear Minister,\n\nYours, {{ supporter.nmae }}' } }));
    expect(response.json().error.message).toContain('(line 3, column 11)');
  });

  it('refuses a PATCH that would break the letter template', async () => {
    const campaign = await createOk();
    const response = await app.inject({
      method: 'PATCH',
      url: `/api/v1/campaigns/${campaign.id}`,
      headers: organiser.auth,
      payload: { letter: { body: '{{ supporter.email }}' } },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.field).toBe('letter.body');
  });

  it('refuses a body that is not JSON, or not an object', async () => {
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/v1/campaigns',
      headers: { ...organiser.auth, 'content-type': 'application/json' },
      payload: '{"slug": ',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.code).toBe('invalid_json');

    const wrongType = await app.inject({
      method: 'POST',
      url: '/api/v1/campaigns',
      headers: { ...organiser.auth, 'content-type': 'text/plain' },
      payload: 'slug=abc',
    });
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.json().error.code).toBe('unsupported_media_type');

    const array = await create([campaignBody()]);
    expect(array.statusCode).toBe(400);
    expect(array.json().error.code).toBe('validation_failed');
  });

  it('refuses a duplicate slug with 409, even from another organiser', async () => {
    const first = await createOk();
    const other = await newOrganiser(handle);
    const before = await countCampaigns(other);
    const response = await create(campaignBody({ slug: first.slug }), other);
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toEqual({
      code: 'slug_taken',
      message: 'Another campaign already uses this slug',
      field: 'slug',
    });
    expect(await countCampaigns(other)).toBe(before);
  });
});

describe('changing a campaign', () => {
  it('changes only the fields sent, nested ones included', async () => {
    const campaign = await createOk();
    const response = await app.inject({
      method: 'PATCH',
      url: `/api/v1/campaigns/${campaign.id}`,
      headers: organiser.auth,
      payload: { title: 'A new title', letter: { subject: 'A new subject' }, summary: null },
    });
    expect(response.statusCode).toBe(200);
    const updated = response.json();
    expect(updated.title).toBe('A new title');
    expect(updated.summary).toBeNull();
    expect(updated.letter.subject).toBe('A new subject');
    expect(updated.letter.body).toBe(campaignBody().letter.body);
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(updated.createdAt));
  });

  it('refuses an empty change, a bad field and a taken slug, changing nothing', async () => {
    const taken = await createOk();
    const campaign = await createOk();
    const url = `/api/v1/campaigns/${campaign.id}`;
    const before = (await app.inject({ method: 'GET', url, headers: organiser.auth })).json();

    const empty = await app.inject({ method: 'PATCH', url, headers: organiser.auth, payload: {} });
    expect(empty.statusCode).toBe(400);

    const bad = await app.inject({ method: 'PATCH', url, headers: organiser.auth, payload: { title: 'ok', target: { email: 'nope' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('target.email');

    const policy = await app.inject({ method: 'PATCH', url, headers: organiser.auth, payload: { replyPolicy: { allowedSenders: [] } } });
    expect(policy.statusCode).toBe(400);
    expect(policy.json().error.field).toBe('replyPolicy.allowedSenders');

    const conflict = await app.inject({ method: 'PATCH', url, headers: organiser.auth, payload: { slug: taken.slug, title: 'changed' } });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.code).toBe('slug_taken');

    const after = (await app.inject({ method: 'GET', url, headers: organiser.auth })).json();
    expect(after).toEqual(before);
  });

  it('locks slug, letter and target once published, but not title, sender or reply policy', async () => {
    const campaign = await createOk();
    const url = `/api/v1/campaigns/${campaign.id}`;
    await app.inject({ method: 'POST', url: `${url}/publish`, headers: organiser.auth });

    for (const [field, change] of [
      ['slug', { slug: 'a-new-slug-for-this' }],
      ['letter', { letter: { body: 'A different letter' } }],
      ['target', { target: { name: 'Someone else' } }],
    ] as const) {
      const response = await app.inject({ method: 'PATCH', url, headers: organiser.auth, payload: change });
      expect(response.statusCode).toBe(422);
      expect(response.json().error).toMatchObject({ code: 'campaign_locked', field });
    }
    const allowed = await app.inject({
      method: 'PATCH',
      url,
      headers: organiser.auth,
      payload: { title: 'Still editable', sender: { name: 'UNA-UK' }, replyPolicy: { mode: 'approve' } },
    });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json()).toMatchObject({ title: 'Still editable', sender: { name: 'UNA-UK' }, replyPolicy: { mode: 'approve' } });
    expect(allowed.json().letter.body).toBe(campaignBody().letter.body);
  });
});

describe('publishing and closing', () => {
  it('goes draft → open → closed, recording when', async () => {
    const campaign = await createOk();
    const url = `/api/v1/campaigns/${campaign.id}`;
    const published = await app.inject({ method: 'POST', url: `${url}/publish`, headers: organiser.auth });
    expect(published.statusCode).toBe(200);
    expect(published.json().status).toBe('open');
    expect(published.json().publishedAt).not.toBeNull();

    const closed = await app.inject({ method: 'POST', url: `${url}/close`, headers: organiser.auth });
    expect(closed.statusCode).toBe(200);
    expect(closed.json().status).toBe('closed');
    expect(closed.json().closedAt).not.toBeNull();
  });

  it.each([
    ['publish', 'an open', ['publish']],
    ['publish', 'a closed', ['publish', 'close']],
    ['close', 'a draft', []],
    ['close', 'a closed', ['publish', 'close']],
  ] as const)('refuses to %s %s campaign with 422 and leaves it as it was', async (action, _state, steps) => {
    const campaign = await createOk();
    const url = `/api/v1/campaigns/${campaign.id}`;
    for (const step of steps) await app.inject({ method: 'POST', url: `${url}/${step}`, headers: organiser.auth });
    const before = (await app.inject({ method: 'GET', url, headers: organiser.auth })).json();

    const response = await app.inject({ method: 'POST', url: `${url}/${action}`, headers: organiser.auth });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('invalid_transition');
    expect((await app.inject({ method: 'GET', url, headers: organiser.auth })).json()).toEqual(before);
  });

  it('lets only one of two simultaneous publishes win', async () => {
    const campaign = await createOk();
    const url = `/api/v1/campaigns/${campaign.id}/publish`;
    const results = await Promise.all([1, 2, 3].map(() => app.inject({ method: 'POST', url, headers: organiser.auth })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 422, 422]);
  });
});

describe('deleting', () => {
  it('deletes a draft at once and frees its slug', async () => {
    const campaign = await createOk();
    const url = `/api/v1/campaigns/${campaign.id}`;
    const deleted = await app.inject({ method: 'DELETE', url, headers: organiser.auth });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect((await app.inject({ method: 'GET', url, headers: organiser.auth })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url, headers: organiser.auth })).statusCode).toBe(404);
    await createOk({ slug: campaign.slug });
  });

  it('keeps a deleted campaign’s slug from every other organiser, even after the purge, so old links never lead to their page', async () => {
    const campaign = await createOk();
    const url = `/api/v1/campaigns/${campaign.id}`;
    await app.inject({ method: 'POST', url: `${url}/publish`, headers: organiser.auth });
    await app.inject({ method: 'POST', url: `${url}/close`, headers: organiser.auth });
    expect((await app.inject({ method: 'DELETE', url, headers: organiser.auth })).statusCode).toBe(204);

    const other = await newOrganiser(handle);
    const expectReserved = async (response: { statusCode: number; json(): { error: unknown } }) => {
      expect(response.statusCode).toBe(409);
      expect(response.json().error).toMatchObject({ code: 'slug_reserved', field: 'slug' });
    };
    await expectReserved(await create(campaignBody({ slug: campaign.slug }), other));

    // The purge removes the campaign's row and its supporters; the slug stays reserved.
    expect(await makePurgeCampaign({ db: handle.db })({ campaignId: campaign.id })).toMatchObject({ campaignRemoved: true });
    expect(await countRows('SELECT count(*) AS n FROM campaigns WHERE id = $1', [campaign.id])).toBe(0);
    await expectReserved(await create(campaignBody({ slug: campaign.slug }), other));
    const draft = (await create(campaignBody(), other)).json();
    await expectReserved(
      await app.inject({ method: 'PATCH', url: `/api/v1/campaigns/${draft.id}`, headers: other.auth, payload: { slug: campaign.slug } }),
    );
    expect(await countRows('SELECT count(*) AS n FROM campaigns WHERE slug = $1', [campaign.slug])).toBe(0);
    expect((await app.inject({ method: 'GET', url: `/c/${campaign.slug}` })).statusCode).toBe(404);

    // Its own organiser may bring it back.
    expect((await create(campaignBody({ slug: campaign.slug }))).statusCode).toBe(201);
  });

  it('gives back a slug a draft moved away from: it was never public', async () => {
    const draft = await createOk();
    const renamed = await app.inject({ method: 'PATCH', url: `/api/v1/campaigns/${draft.id}`, headers: organiser.auth, payload: { slug: `${draft.slug}-x` } });
    expect(renamed.statusCode).toBe(200);
    expect((await create(campaignBody({ slug: draft.slug }), await newOrganiser(handle))).statusCode).toBe(201);
  });

  it('refuses to delete an open campaign (close it first), then deletes it once closed', async () => {
    const campaign = await createOk();
    const url = `/api/v1/campaigns/${campaign.id}`;
    await app.inject({ method: 'POST', url: `${url}/publish`, headers: organiser.auth });
    const refused = await app.inject({ method: 'DELETE', url, headers: organiser.auth });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('invalid_transition');
    expect((await app.inject({ method: 'GET', url, headers: organiser.auth })).statusCode).toBe(200);

    await app.inject({ method: 'POST', url: `${url}/close`, headers: organiser.auth });
    expect((await app.inject({ method: 'DELETE', url, headers: organiser.auth })).statusCode).toBe(204);
  });
});

describe('listing', () => {
  it('pages through the organiser’s own campaigns, newest first, each exactly once', async () => {
    const mine = await newOrganiser(handle);
    const someoneElse = await newOrganiser(handle);
    await create(campaignBody(), someoneElse);
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await create(campaignBody(), mine);
      created.push(response.json().id);
    }

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const response = await app.inject({ method: 'GET', url: `/api/v1/campaigns${query}`, headers: mine.auth });
      expect(response.statusCode).toBe(200);
      const page = response.json<{ items: Array<{ id: string }>; nextCursor: string | null }>();
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...created].reverse());
  });

  it('filters by status', async () => {
    const mine = await newOrganiser(handle);
    const open = (await create(campaignBody(), mine)).json();
    await create(campaignBody(), mine);
    await app.inject({ method: 'POST', url: `/api/v1/campaigns/${open.id}/publish`, headers: mine.auth });
    const response = await app.inject({ method: 'GET', url: '/api/v1/campaigns?status=open', headers: mine.auth });
    expect(response.json().items.map((c: { id: string }) => c.id)).toEqual([open.id]);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['status=archived', 'status'],
    ['cursor=not-a-cursor', 'cursor'],
    [`cursor=${Buffer.from('["yesterday","x"]').toString('base64url')}`, 'cursor'],
    ['sort=title', 'sort'],
  ])('refuses ?%s with 400 naming %s', async (query, field) => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/campaigns?${query}`, headers: organiser.auth });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'validation_failed', field });
  });
});
