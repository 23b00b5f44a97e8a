/**
 * The campaign screens of the organiser web app, driven as a browser would (session cookie, CSRF
 * token, url-encoded forms): the list, the editor with its preview and its refusals, publishing and
 * closing, the overview's counts, chart and timeline. Bad input shows errors beside the fields and
 * saves nothing; an editor cannot publish; a form without its token changes nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { appGet, appPost, signIn, type AppSession } from '../support/app-session.js';
import { campaignBody, createPublishedCampaign, uniqueSuffix } from '../support/harness.js';
import { countRows, seedSupporters } from '../support/seed.js';
import { useTestStack } from '../support/test-stack.js';

const { app, handle } = useTestStack({ runs: 'app' });
let owner: AppSession;

beforeAll(async () => {
  owner = await signIn(handle);
});

/** The editor's fields as the form posts them, for a valid new campaign. */
function campaignForm(overrides: Record<string, string> = {}): Record<string, string> {
  const body = campaignBody();
  return {
    title: body.title,
    slug: body.slug,
    summary: body.summary,
    'letter.subject': body.letter.subject,
    'letter.body': body.letter.body,
    'target.name': body.target.name,
    'target.email': body.target.email,
    'target.address': body.target.address,
    'sender.name': body.sender.name,
    'sender.email': body.sender.email,
    'replyPolicy.mode': 'auto',
    'replyPolicy.allowedSenders': 'fco.gov.example',
    consentStatement: '',
    ...overrides,
  };
}

/** The text of the error shown beside a field (its id is the field's name), or undefined. */
function errorBeside(page: string, field: string): string | undefined {
  const escaped = field.replace(/\./g, '\\.');
  const match = new RegExp(`<span class="error" id="${escaped}-error"><span class="visually-hidden">Error:</span> ([^<]*)</span>`).exec(page);
  return match?.[1];
}

async function campaignsOf(organiserId: string): Promise<number> {
  return countRows(handle, 'SELECT count(*) AS n FROM campaigns WHERE organiser_id = $1', [organiserId]);
}

async function createThroughForm(session: AppSession, overrides: Record<string, string> = {}): Promise<string> {
  const response = await appPost(app, session, '/app/campaigns/new', campaignForm(overrides));
  expect(response.statusCode, response.body.slice(0, 500)).toBe(303);
  const match = /^\/app\/campaigns\/([0-9a-f-]{36})\?done=created$/.exec(response.headers.location as string);
  return match![1]!;
}

describe('creating a campaign', () => {
  it('shows every field of the campaign, labelled, with the preview merged for a sample supporter', async () => {
    const page = await appGet(app, owner, '/app/campaigns/new');
    expect(page.statusCode).toBe(200);
    for (const field of ['title', 'slug', 'summary', 'letter.subject', 'letter.body', 'target.name', 'target.email', 'target.address', 'sender.name', 'sender.email', 'replyPolicy.mode', 'replyPolicy.allowedSenders', 'consentStatement']) {
      expect(page.body, field).toContain(`<label for="${field}">`);
      expect(page.body, field).toContain(`name="${field}"`);
    }
    expect(page.body).toContain('As Jane Ó Briain, a sample supporter, would receive it.');
  });

  it('saves a valid form and shows the new campaign as a draft', async () => {
    const id = await createThroughForm(owner, { 'letter.body': 'Dear Foreign Secretary,\n\nYours,\n{{ supporter.name }}' });
    const overview = await appGet(app, owner, `/app/campaigns/${id}?done=created`);
    expect(overview.statusCode).toBe(200);
    expect(overview.body).toContain('The campaign is created as a draft.');
    expect(overview.body).toContain('<strong>Draft</strong>');
    const saved = await handle.pool.query('SELECT letter_body, reply_allowed_senders, consent_statement FROM campaigns WHERE id = $1', [id]);
    expect(saved.rows[0].letter_body).toBe('Dear Foreign Secretary,\n\nYours,\n{{ supporter.name }}');
    expect(saved.rows[0].reply_allowed_senders).toEqual(['fco.gov.example']);
  });

  it('refuses invalid fields with an error beside each, a summary at the top, and saves nothing', async () => {
    const before = await campaignsOf(owner.user.organiserId);
    const response = await appPost(app, owner, '/app/campaigns/new', campaignForm({
      title: '',
      slug: 'Not a slug!',
      'target.email': 'not-an-address',
      'replyPolicy.allowedSenders': '',
    }));
    expect(response.statusCode).toBe(400);
    expect(errorBeside(response.body, 'title')).toBe('Enter the title');
    expect(errorBeside(response.body, 'slug')).toMatch(/must be lower-case letters, digits and single hyphens/);
    expect(errorBeside(response.body, 'target.email')).toBe('Enter an email address like name@example.org');
    expect(response.body).toContain('<h2>There is a problem</h2>');
    expect(response.body).toContain('<a href="#title">Enter the title</a>');
    // What was typed is kept, so nothing has to be typed again.
    expect(response.body).toContain('value="Not a slug!"');
    expect(await campaignsOf(owner.user.organiserId)).toBe(before);
  });

  it('refuses a letter with a misspelt merge field, naming its line and column, and saves nothing', async () => {
    const before = await campaignsOf(owner.user.organiserId);
    const response = await appPost(app, owner, '/app/campaigns/new', campaignForm({ 'letter.body': 'Dear Minister,\n\nFrom {{ supporter.nmae }}' }));
    expect(response.statusCode).toBe(400);
    expect(errorBeside(response.body, 'letter.body')).toMatch(/^Unknown merge field &quot;supporter.nmae&quot;.*\(line 3, column 9\)$/);
    expect(await campaignsOf(owner.user.organiserId)).toBe(before);
  });

  it('refuses a slug another organiser uses, beside the slug', async () => {
    const other = await signIn(handle);
    const taken = `taken-${uniqueSuffix()}`;
    await createThroughForm(other, { slug: taken });
    const response = await appPost(app, owner, '/app/campaigns/new', campaignForm({ slug: taken }));
    expect(response.statusCode).toBe(400);
    expect(errorBeside(response.body, 'slug')).toBe('Another campaign already uses this slug');
  });

  it('refuses a form without its CSRF token (403) and saves nothing', async () => {
    const before = await campaignsOf(owner.user.organiserId);
    const missing = await appPost(app, owner, '/app/campaigns/new', campaignForm(), { csrfToken: null });
    const forged = await appPost(app, owner, '/app/campaigns/new', campaignForm(), { csrfToken: 'x'.repeat(43) });
    expect([missing.statusCode, forged.statusCode]).toEqual([403, 403]);
    expect(await campaignsOf(owner.user.organiserId)).toBe(before);
  });
});

describe('the letter preview', () => {
  it('returns the merged letter as a fragment for the editor’s script, and the whole editor without it', async () => {
    const form = campaignForm({ 'letter.subject': 'From {{ supporter.first_name }}', 'letter.body': 'Signed, {{ supporter.name }} of {{ supporter.postcode }}' });
    const fragment = await appPost(app, owner, '/app/campaigns/new/preview?fragment=1', form);
    expect(fragment.statusCode).toBe(200);
    expect(fragment.body).toMatch(/^<div id="letter-preview" class="preview" aria-live="polite">/);
    expect(fragment.body).toContain('<dd class="preview-subject">From Jane</dd>');
    expect(fragment.body).toContain('Signed, Jane Ó Briain of SW1A 2AH');
    const page = await appPost(app, owner, '/app/campaigns/new/preview', form);
    expect(page.body).toContain('<h1>New campaign</h1>');
    expect(page.body).toContain('Signed, Jane Ó Briain of SW1A 2AH');
  });

  it('shows a template error with its line and column and the line itself', async () => {
    const fragment = await appPost(app, owner, '/app/campaigns/new/preview?fragment=1', campaignForm({ 'letter.body': 'Dear Minister,\n{% if %}' }));
    expect(fragment.body).toContain('<strong>The letter cannot be previewed</strong>');
    expect(fragment.body).toMatch(/on line 2, column \d+\./);
    expect(fragment.body).toContain('<a href="#letter.body">Go to the letter</a>');
  });

  it('merges a real supporter of the campaign picked by name', async () => {
    const id = await createThroughForm(owner);
    await seedSupporters(handle, id, 3, `preview-${uniqueSuffix()}`);
    const form = { ...campaignForm({ 'letter.body': 'Yours, {{ supporter.name }}' }), previewAs: 'supporter 2' };
    const fragment = await appPost(app, owner, `/app/campaigns/${id}/preview?fragment=1`, form);
    expect(fragment.body).toContain('As Supporter 2 would receive it.');
    expect(fragment.body).toContain('Yours, Supporter 2');
    const nobody = await appPost(app, owner, `/app/campaigns/${id}/preview?fragment=1`, { ...form, previewAs: 'Nobody' });
    expect(nobody.body).toContain('No supporter of this campaign matches “Nobody”.');
    expect(nobody.body).toContain('Yours, Jane Ó Briain');
  });
});

describe('editing a campaign', () => {
  it('saves a draft’s changes', async () => {
    const id = await createThroughForm(owner);
    const edited = await appPost(app, owner, `/app/campaigns/${id}/edit`, campaignForm({ title: 'A better title', slug: `better-${uniqueSuffix()}` }));
    expect(edited.statusCode).toBe(303);
    expect(edited.headers.location).toBe(`/app/campaigns/${id}?done=saved`);
    expect((await handle.pool.query('SELECT title FROM campaigns WHERE id = $1', [id])).rows[0].title).toBe('A better title');
  });

  it('shows a published campaign’s slug, letter and target read-only with the reason, and never changes them', async () => {
    const campaign = await createPublishedCampaign(app, owner.organiser);
    const page = await appGet(app, owner, `/app/campaigns/${campaign.id}/edit`);
    expect(page.body).toMatch(/id="slug" name="slug" value="[^"]+"[^>]* readonly>/);
    expect(page.body).toMatch(/<textarea id="letter\.body"[^>]* readonly>/);
    expect(page.body).toMatch(/id="target\.email"[^>]* readonly>/);
    expect(page.body).toContain('It cannot change now the campaign is published: supporters signed the letter as it is.');
    expect(page.body).not.toMatch(/id="title"[^>]* readonly>/);

    const tampered = campaignForm({ title: 'Still editable', slug: 'tampered-slug', 'letter.body': 'Tampered {{ supporter.name }}' });
    const saved = await appPost(app, owner, `/app/campaigns/${campaign.id}/edit`, tampered);
    expect(saved.statusCode).toBe(303);
    const row = (await handle.pool.query('SELECT title, slug, letter_body FROM campaigns WHERE id = $1', [campaign.id])).rows[0];
    expect(row).toMatchObject({ title: 'Still editable', slug: campaign.slug });
    expect(row.letter_body).not.toContain('Tampered');
  });
});

describe('publishing and closing', () => {
  it('asks first, then publishes and closes for an owner, and says so on the overview', async () => {
    const id = await createThroughForm(owner);
    const ask = await appGet(app, owner, `/app/campaigns/${id}/publish`);
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('<h1>Publish this campaign?</h1>');
    expect(ask.body).toContain(`action="/app/campaigns/${id}/publish"`);
    expect((await handle.pool.query('SELECT status FROM campaigns WHERE id = $1', [id])).rows[0].status).toBe('draft');

    const published = await appPost(app, owner, `/app/campaigns/${id}/publish`);
    expect(published.statusCode).toBe(303);
    const overview = await appGet(app, owner, published.headers.location as string);
    expect(overview.body).toContain('The campaign is published');
    expect(overview.body).toContain('<strong>Open for signatures</strong>');
    expect(overview.body).toContain('Published: the public page opened for signatures');

    const closed = await appPost(app, owner, `/app/campaigns/${id}/close`);
    expect(closed.statusCode).toBe(303);
    expect((await handle.pool.query('SELECT status FROM campaigns WHERE id = $1', [id])).rows[0].status).toBe('closed');
  });

  it('refuses an editor (403) and changes nothing', async () => {
    const id = await createThroughForm(owner);
    const editor = await signIn(handle, { organiser: owner.organiser, role: 'editor' });
    expect((await appGet(app, editor, `/app/campaigns/${id}`)).statusCode).toBe(200);
    expect((await appGet(app, editor, `/app/campaigns/${id}/publish`)).statusCode).toBe(403);
    expect((await appPost(app, editor, `/app/campaigns/${id}/publish`)).statusCode).toBe(403);
    expect((await handle.pool.query('SELECT status FROM campaigns WHERE id = $1', [id])).rows[0].status).toBe('draft');
    // An editor may still edit.
    expect((await appPost(app, editor, `/app/campaigns/${id}/edit`, campaignForm({ title: 'Edited by an editor' }))).statusCode).toBe(303);
  });

  it('refuses publishing a campaign twice with a page saying why', async () => {
    const campaign = await createPublishedCampaign(app, owner.organiser);
    const again = await appPost(app, owner, `/app/campaigns/${campaign.id}/publish`);
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Cannot publish a campaign that is open');
    expect(again.body).toContain('Nothing was changed.');
  });
});

describe('the campaigns list and the overview', () => {
  it('lists the organiser’s campaigns newest first with their numbers, and no one else’s', async () => {
    const session = await signIn(handle);
    const older = await createPublishedCampaign(app, session.organiser, { title: 'The older campaign' });
    const newer = await createPublishedCampaign(app, session.organiser, { title: 'The newer campaign' });
    await seedSupporters(handle, newer.id, 4, `list-${uniqueSuffix()}`);
    await handle.pool.query('UPDATE campaigns SET supporter_count = 4 WHERE id = $1', [newer.id]);
    await createThroughForm(owner, { title: 'Someone else’s campaign' });

    const page = await appGet(app, session, '/app/campaigns');
    expect(page.statusCode).toBe(200);
    expect(page.body.indexOf('The newer campaign')).toBeLessThan(page.body.indexOf('The older campaign'));
    expect(page.body).not.toContain('Someone else’s campaign');
    const newerRow = page.body.slice(page.body.indexOf('The newer campaign'), page.body.indexOf('</tr>', page.body.indexOf('The newer campaign')));
    expect(newerRow.match(/<td class="number">(\d+)<\/td>/g)).toEqual(['<td class="number">4</td>', '<td class="number">4</td>']);
    expect(newerRow).toContain('<td>Not delivered</td>');
    expect(page.body).toContain(`href="/app/campaigns/${older.id}"`);
  });

  it('shows counts by status, sign-ups per day as a chart and a table, and the reply address', async () => {
    const campaign = await createPublishedCampaign(app, owner.organiser);
    await seedSupporters(handle, campaign.id, 5, `overview-${uniqueSuffix()}`);
    await handle.pool.query(
      `UPDATE supporters SET status = 'unconfirmed', confirmed_at = NULL
       WHERE id IN (SELECT id FROM supporters WHERE campaign_id = $1 ORDER BY id LIMIT 2)`,
      [campaign.id],
    );
    await handle.pool.query(
      `UPDATE supporters SET unsubscribed_at = now()
       WHERE id IN (SELECT id FROM supporters WHERE campaign_id = $1 AND status = 'confirmed' ORDER BY id LIMIT 1)`,
      [campaign.id],
    );
    const page = await appGet(app, owner, `/app/campaigns/${campaign.id}`);
    expect(page.body).toContain('<span class="count-number">2</span> pending confirmation');
    expect(page.body).toContain('<span class="count-number">2</span> confirmed');
    expect(page.body).toContain('<span class="count-number">1</span> unsubscribed');
    expect(page.body).toMatch(/<svg [^>]*role="img"/);
    expect(page.body).toMatch(/<desc id="signups-desc">5 sign-ups from/);
    expect(page.body.match(/<tr><th scope="row">[^<]+<\/th><td>\d+<\/td><\/tr>/g)).toHaveLength(30);
    expect(page.body).toMatch(/<code>reply\+[0-9a-f]{20}@replies\.example\.org<\/code>/);
    expect(page.body).toContain(`<a href="https://letters.example.org/c/${campaign.slug}">`);
  });
});
