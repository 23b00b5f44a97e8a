/**
 * Organiser-written Liquid, wherever it goes in (a campaign's letter, created or edited; a broadcast;
 * a preview): what loops for ever, renders megabytes, reads files or reaches into JavaScript objects is
 * refused with 422 `invalid_template` naming the field, and nothing is stored; what is harmless renders,
 * bounded. A supporter's name is data, never template: Liquid in it reaches the mail as typed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { campaignBody, createPublishedCampaign, signAndConfirm, uniqueSuffix } from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';
import { fingerprint } from '../support/routes.js';

const { stack, handle, organiser } = useTestStack({ organiser: 'UNA-UK' });
let published: { id: string; slug: string };
let draftId: string;

beforeAll(async () => {
  published = await createPublishedCampaign(stack.app, organiser);
  const draft = await stack.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: organiser.auth, payload: campaignBody() });
  draftId = draft.json().id;
});

const TOO_MUCH = 'takes too long or too much memory to render';
// These two are stopped by the time budget rather than the memory one: each refusal costs a quarter
// of a second, so they are tried in one place of each kind, not all seven.
const SLOW_NESTED = '{% for a in (1..100000) %}{% for b in (1..100000) %}x{% endfor %}{% endfor %}';
const SLOW_TABLE = '{% tablerow i in (1..1000000) %}{% endtablerow %}';
const TOO_LONG = 'renders to more than';
// Whichever it passes first: time, memory, or the output cap (a subject's is 1,000 characters).
const TOO_MUCH_OR_TOO_LONG = /takes too long or too much memory to render|renders to more than/;

/** [what it is, the template, what the refusal says]. */
const HOSTILE: Array<[string, string, string | RegExp]> = [
  ['a loop over a hundred million', '{% for i in (1..100000000) %}x{% endfor %}', TOO_MUCH_OR_TOO_LONG],
  ['nested loops', SLOW_NESTED, TOO_MUCH_OR_TOO_LONG],
  ['a table of a million rows', SLOW_TABLE, TOO_MUCH_OR_TOO_LONG],
  ['a string doubled thirty times', '{% assign s = "xxxxxxxxxx" %}{% for i in (1..30) %}{% assign s = s | append: s %}{% endfor %}{{ s }}', TOO_MUCH],
  ['a huge range joined', '{% assign a = (1..100000000) %}{{ a | join: "," }}', TOO_MUCH],
  ['megabytes of merged names', '{% for i in (1..3000) %}{{ supporter.name }}{% endfor %}', TOO_LONG],
  ['an include', '{% include "letter" %}', 'is not allowed'],
  ['an include with whitespace control', '{%- include "/etc/passwd" -%}', 'is not allowed'],
  ['a render', "{% render 'footer' %}", 'is not allowed'],
  ['a layout', '{% layout "base" %}', 'is not allowed'],
  ['an include inside a liquid tag', '{% liquid include "x" %}', 'Failed to lookup'],
  ['a render on the liquid tag’s second line', '{% liquid\nrender "x" %}', 'Failed to lookup'],
  ['the constructor of a field', '{{ supporter.constructor }}', 'unknown merge field'],
  ['__proto__', '{{ supporter.__proto__ }}', 'unknown merge field'],
  ['toString', '{{ supporter.toString }}', 'unknown merge field'],
  ['the constructor of a string', '{{ supporter.name.constructor }}', 'unknown merge field'],
  ['bracket access', '{{ supporter["constructor"] }}', 'unknown merge field'],
  ['bracket access through a variable', '{% assign c = "constructor" %}{{ supporter[c] }}', 'unknown merge field'],
  ['a whole object', '{{ supporter | json }}', 'unknown merge field'],
  ['a loop over an object', '{% for x in campaign %}{{ x }}{% endfor %}', 'unknown merge field'],
  ['an unknown filter', '{{ supporter.name | nope }}', 'undefined filter: nope'],
  ['a filter from another Liquid', '{{ supporter.name | pad_start: 99999999 }}', 'undefined filter'],
];

interface Attempt {
  method: 'POST' | 'PATCH';
  url: () => string;
  payload: (source: string) => object;
  field: string;
  /** Subjects are one line: a multi-line template there is refused for that, not for what it does. */
  singleLine?: boolean;
}

const PLACES: Attempt[] = [
  { method: 'POST', url: () => '/api/v1/campaigns', payload: (body) => campaignBody({ letter: { subject: 'A letter', body } }), field: 'letter.body' },
  {
    method: 'POST',
    url: () => '/api/v1/campaigns',
    payload: (subject) => campaignBody({ letter: { subject, body: 'Dear Sir' } }),
    field: 'letter.subject',
    singleLine: true,
  },
  { method: 'PATCH', url: () => `/api/v1/campaigns/${draftId}`, payload: (body) => ({ letter: { body } }), field: 'letter.body' },
  {
    method: 'POST',
    url: () => `/api/v1/campaigns/${published.id}/broadcasts`,
    payload: (body) => ({ kind: 'update', subject: 'News', body }),
    field: 'body',
  },
  {
    method: 'POST',
    url: () => `/api/v1/campaigns/${published.id}/broadcasts`,
    payload: (subject) => ({ kind: 'update', subject, body: 'News' }),
    field: 'subject',
    singleLine: true,
  },
  { method: 'POST', url: () => `/api/v1/campaigns/${published.id}/preview`, payload: (body) => ({ body }), field: 'body' },
  { method: 'POST', url: () => `/api/v1/campaigns/${published.id}/preview`, payload: (subject) => ({ subject }), field: 'subject', singleLine: true },
];

describe('a hostile template', () => {
  it.each(HOSTILE)('(%s) is refused with 422 naming the field, wherever it goes in, and nothing is stored', async (_what, source, says) => {
    const before = await fingerprint(handle);
    const slow = source === SLOW_NESTED || source === SLOW_TABLE;
    for (const place of slow ? [PLACES[0]!, PLACES[4]!, PLACES[5]!] : PLACES) {
      if (place.singleLine && source.includes('\n')) continue;
      const response = await stack.app.inject({ method: place.method, url: place.url(), headers: organiser.auth, payload: place.payload(source) });
      const what = `${place.method} ${place.url()} (${place.field}) → ${response.body.slice(0, 300)}`;
      expect(response.statusCode, what).toBe(422);
      expect(response.json().error, what).toMatchObject({ code: 'invalid_template', field: place.field });
      expect(response.json().error.message, what).toMatch(says);
    }
    expect(await fingerprint(handle)).toEqual(before);
  });
});

describe('harmless Liquid', () => {
  it.each([
    ['cycle', '{% cycle "a", "b" %}{% cycle "a", "b" %}', 'ab'],
    ['capture and a filter', '{% capture x %}{{ supporter.first_name }}{% endcapture %}{{ x | upcase }}', 'JANE'],
    ['raw', '{% raw %}{{ supporter.name }}{% endraw %}', '{{ supporter.name }}'],
    ['a short loop', '{% for i in (1..3) %}{{ i }}{% endfor %}', '123'],
    ['json of a field', '{{ supporter.first_name | json }}', '"Jane"'],
    ['a name joined with itself', '{{ supporter.first_name | split: "" | join: supporter.first_name }}', 'JJaneaJanenJanee'],
  ])('(%s) is saved and previews as expected, bounded', async (_what, source, expected) => {
    const created = await stack.app.inject({
      method: 'POST',
      url: '/api/v1/campaigns',
      headers: organiser.auth,
      payload: campaignBody({ letter: { subject: 'A letter', body: source } }),
    });
    expect(created.statusCode, created.body).toBe(201);
    const preview = await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${created.json().id}/preview`, headers: organiser.auth, payload: {} });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json().text).toBe(expected);
  });
});

describe('a subject', () => {
  it('is refused when it would render longer than a subject line can sensibly be, for a long name', async () => {
    const quadratic = '{{ supporter.name | split: "" | join: supporter.name }}';
    const response = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${published.id}/broadcasts`,
      headers: organiser.auth,
      payload: { kind: 'update', subject: quadratic, body: quadratic },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({ code: 'invalid_template', field: 'subject' });
    expect(response.json().error.message).toContain(TOO_LONG);
  });
});

describe('a supporter’s name', () => {
  it('is merged as text, never run as a template, in the preview and in the mail', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const name = '{{ unsubscribe_url }} {% for i in (1..100000000) %}x{% endfor %} {{ supporter.constructor }}';
    const email = `liquid-${uniqueSuffix()}@example.org`;
    const { confirmation } = await signAndConfirm(stack, campaign.slug, { name, email });
    const copy = await stack.sink.waitFor((m) => m.envelopeTo.includes(email) && m !== confirmation);
    expect(copy.parsed.subject).toBe(`The Responsibility to Protect – a letter from ${name}`);
    expect(copy.parsed.text).toContain(`Yours sincerely,\n${name}`);
    expect(copy.parsed.html).toContain(name);

    const supporterId = (await handle.pool.query('SELECT id FROM supporters WHERE campaign_id = $1', [campaign.id])).rows[0].id;
    const preview = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaign.id}/preview`,
      headers: organiser.auth,
      payload: { supporterId },
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.json().text).toContain(`Yours sincerely,\n${name}`);
  });
});

describe('a letter that fails at run time, in a branch the save-time trial does not enter', () => {
  // Writes nothing, so only the time budget stops it, however fast the machine (with an "x" inside,
  // a fast one reached the output cap first).
  const SLOW = '{% for a in (1..100000) %}{% for b in (1..100000) %}{% endfor %}{% endfor %}';

  it('leaves the public page up with the sign form, and tells the organiser why', async () => {
    // The trial renders "[campaign title]" and a long run of W's; the page renders the real title.
    const campaign = await createPublishedCampaign(stack.app, organiser, {
      letter: { subject: 'A letter', body: `Dear Sir,{% if campaign.title contains "Syria" %}${SLOW}{% endif %}` },
    });
    for (let view = 0; view < 3; view++) {
      const page = await stack.app.inject({ method: 'GET', url: `/c/${campaign.slug}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('The text of the letter cannot be shown right now.');
      expect(page.body).toContain(`<form method="post" action="/c/${campaign.slug}#sign"`);
    }
    const signed = await stack.app.inject({
      method: 'POST',
      url: `/c/${campaign.slug}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ name: 'Still Signing', email: `still-${uniqueSuffix()}@example.org`, consent: 'true' }).toString(),
    });
    expect(signed.statusCode).toBe(202);

    const seen = await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}`, headers: organiser.auth });
    expect(seen.json().letterProblem).toBe('The public page cannot show the letter: it takes too long or too much memory to render (a loop?).');

    // A title the branch does not match: the page shows the letter again, and the problem is gone.
    await stack.app.inject({ method: 'PATCH', url: `/api/v1/campaigns/${campaign.id}`, headers: organiser.auth, payload: { title: 'Protect civilians' } });
    const fixed = await stack.app.inject({ method: 'GET', url: `/c/${campaign.slug}` });
    expect(fixed.body).toContain('Dear Sir,');
    expect(fixed.body).not.toContain('cannot be shown');
    expect((await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}`, headers: organiser.auth })).json().letterProblem).toBeNull();
  });

  it('fails that supporter’s copy with the reason, and the preview for them says why', async () => {
    const heavy = '{% assign s = "xxxxxxxxxx" %}{% for i in (1..30) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}';
    const campaign = await createPublishedCampaign(stack.app, organiser, {
      letter: { subject: 'A letter', body: `Dear Sir,{% if supporter.first_name == "Eve" %}${heavy}{% endif %}\n\n{{ supporter.name }}` },
    });
    const email = `eve-${uniqueSuffix()}@example.org`;
    await signAndConfirm(stack, campaign.slug, { name: 'Eve Example', email });
    const { rows } = await handle.pool.query<{ id: string }>('SELECT id FROM supporters WHERE campaign_id = $1', [campaign.id]);
    const supporterId = rows[0]!.id;

    const copyOutcome = async () =>
      (
        await handle.pool.query<{ status: string; last_response: string | null }>(
          "SELECT status, last_response FROM transactional_messages WHERE supporter_id = $1 AND kind = 'letter_copy'",
          [supporterId],
        )
      ).rows[0];
    for (let i = 0; i < 200 && (await copyOutcome())?.status !== 'failed'; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(await copyOutcome()).toEqual({
      status: 'failed',
      last_response: "not sent: The letter's body cannot be rendered: it takes too long or too much memory to render (a loop?)",
    });

    const preview = await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/preview`, headers: organiser.auth, payload: { supporterId } });
    expect(preview.statusCode).toBe(422);
    expect(preview.json().error).toEqual({
      code: 'invalid_template',
      message: 'body: it takes too long or too much memory to render (a loop?), for this supporter',
      field: 'body',
    });
  });
});
