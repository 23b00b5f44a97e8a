/**
 * Sizes and characters at the edges. A body over its limit, on any route that takes one, is a 413 with
 * the JSON error shape (a page on the public pages) and changes nothing. A name in any script, with
 * combining marks, bidi controls or emoji, is stored exactly as sent (trimmed) and arrives in mail
 * decoded to the same; what is not text (NUL and other controls, half a surrogate pair) is refused
 * with 400 naming the field. NUL anywhere (paths, queries, bodies, inbound mail) is never a 500: Postgres
 * cannot store it, so it must be stopped before a query or dropped from mail we receive.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { signInboundRequest } from '../../src/inbound/http-intake.js';
import { campaignBody, createPublishedCampaign, signAndConfirm, uniqueSuffix, waitForValue, type Stack } from '../support/harness.js';
import { signIn } from '../support/app-session.js';
import { useTestStack } from '../support/test-stack.js';
import { fillPath, fingerprint, routeKey, routesOf } from '../support/routes.js';

const INBOUND_SECRET = 'inbound-secret-of-at-least-32-characters';
const INBOUND_MAX_BYTES = 100_000;

const { stack, handle, organiser } = useTestStack({
  env: { INBOUND_HMAC_SECRET: INBOUND_SECRET, INBOUND_REQUIRE_DMARC: 'false', INBOUND_MAX_BYTES: String(INBOUND_MAX_BYTES) },
  organiser: 'UNA-UK',
});
let campaign: { id: string; slug: string };
let ids: Record<string, string>;

beforeAll(async () => {
  campaign = await createPublishedCampaign(stack.app, organiser, { replyPolicy: { mode: 'approve', allowedSenders: ['fco.gov.example'] } });
  const broadcast = await stack.app.inject({
    method: 'POST',
    url: `/api/v1/campaigns/${campaign.id}/broadcasts`,
    headers: organiser.auth,
    payload: { kind: 'update', subject: 'News', body: 'News' },
  });
  const reply = await stack.app.inject({
    method: 'POST',
    url: `/api/v1/campaigns/${campaign.id}/replies`,
    headers: organiser.auth,
    payload: { fromAddress: 'minister@fco.gov.example', subject: 'Re', body: 'Reply' },
  });
  ids = { campaigns: campaign.id, broadcasts: broadcast.json().id, replies: reply.json().id };
});

const PAGE = /^\/(?:c|confirm|u|privacy|app)(?:\/|$)/;
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const newEmail = (label: string) => `${label}-${uniqueSuffix()}@example.org`;

/** Waits for the mail workers to finish, so a fingerprint reflects only what a request did. */
async function settled(): Promise<Record<string, string>> {
  await waitForValue(
    async () => (await handle.pool.query("SELECT 1 FROM transactional_messages WHERE status IN ('pending', 'sending')")).rowCount,
    (pending) => pending === 0,
    'every queued mail to be sent',
  );
  return fingerprint(handle);
}

function urlFor(path: string): string {
  if (path === '/api/v1/campaigns/:slug|:id/signatures') return `/api/v1/campaigns/${campaign.slug}/signatures`;
  return fillPath(path, (resource) => (resource === 'c' ? campaign.slug : ids[resource] ?? 'AAAA'));
}

function expectErrorShape(response: Awaited<ReturnType<Stack['app']['inject']>>, path: string, status: number) {
  const what = `${path} → ${response.statusCode} ${response.body.slice(0, 200)}`;
  expect(response.statusCode, what).toBe(status);
  if (PAGE.test(path)) {
    expect(response.headers['content-type'], what).toContain('text/html');
    expect(response.body, what).toContain('<h1>');
  } else {
    expect(typeof response.json().error.code, what).toBe('string');
    expect(typeof response.json().error.message, what).toBe('string');
  }
}

describe('a body over its limit', () => {
  it('gets 413 on every route that takes a body, as JSON for the API and as a page for people, and changes nothing', async () => {
    const routes = routesOf(stack.app).filter((route) => route.method === 'POST' || route.method === 'PATCH');
    expect(routes.length).toBeGreaterThan(20);
    const json = JSON.stringify({ text: 'x'.repeat(1024 * 1024 + 1) });
    // Public forms are small; the web app's carry a whole letter.
    const urlencodedFor = (url: string) => `text=${'x'.repeat((url.startsWith('/app') ? 256 : 16) * 1024 + 1)}`;
    // Signed in, so the web app's routes read the body (signed out, they refuse before reading it).
    const { cookie } = await signIn(handle, { organiser });
    const before = await settled();
    for (const route of routes) {
      const url = urlFor(route.path);
      const bodies: Array<[string, string]> = PAGE.test(url) ? [['application/json', json], ['application/x-www-form-urlencoded', urlencodedFor(url)]] : [['application/json', json]];
      if (route.path === '/api/v1/inbound') bodies.push(['message/rfc822', 'x'.repeat(INBOUND_MAX_BYTES + 1)]);
      for (const [type, payload] of bodies) {
        const response = await stack.app.inject({ method: route.method as 'POST' | 'PATCH', url, headers: { ...organiser.auth, cookie, 'content-type': type }, payload });
        expectErrorShape(response, url, 413);
        if (!PAGE.test(url)) expect(response.json().error.code, `${routeKey(route)} ${type}`).toBe('body_too_large');
      }
    }
    expect(await fingerprint(handle)).toEqual(before);
  });

  it('gets 413 body_too_large for a reply entered by hand with a file over the limit, or too many files, and stores nothing', async () => {
    const multipart = (files: Array<{ name: string; size: number }>) => {
      const boundary = `----b${uniqueSuffix()}`;
      const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
      const parts = [
        field('fromAddress', 'minister@fco.gov.example'),
        field('subject', 'Our reply'),
        field('body', 'Please find our reply attached.'),
        ...files.map(
          (file) =>
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/pdf\r\n\r\n${'%'.repeat(file.size)}\r\n`,
        ),
      ];
      return { boundary, payload: `${parts.join('')}--${boundary}--\r\n` };
    };
    const before = await settled();
    for (const files of [[{ name: 'scan.pdf', size: INBOUND_MAX_BYTES + 1 }], Array.from({ length: 11 }, (_, i) => ({ name: `page${i}.pdf`, size: 10 }))]) {
      const { boundary, payload } = multipart(files);
      const response = await stack.app.inject({
        method: 'POST',
        url: `/api/v1/campaigns/${campaign.id}/replies`,
        headers: { ...organiser.auth, 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload,
      });
      expect(response.statusCode, response.body).toBe(413);
      expect(response.json().error.code).toBe('body_too_large');
    }
    expect(await fingerprint(handle)).toEqual(before);
  });
});

async function storedName(email: string): Promise<string | undefined> {
  const { rows } = await handle.pool.query<{ name: string }>(
    'SELECT s.name FROM supporters s JOIN contacts c ON c.id = s.contact_id WHERE c.email = $1',
    [email.toLowerCase()],
  );
  return rows[0]?.name;
}

describe('a name in any script', () => {
  const names: Array<[string, string]> = [
    ['combining marks', 'Zoë Łukasiewicz e\u0301\u0301\u0301 Z\u0336a\u0336'],
    ['a right-to-left override', '\u202Eevil\u202C Smith'],
    ['right-to-left scripts', 'עברית العربية'],
    ['emoji with joiners and skin tones', '👩‍👩‍👧 Family 👍🏽 🇬🇧'],
    ['zero-width and non-breaking spaces inside', 'Ann\u200BMarie\u00A0Smith'],
    ['CJK', '李小龍'],
    // The limit counts characters (code points), not UTF-16 units: these 200 are 400 units.
    ['200 astral characters', '😀'.repeat(200)],
  ];

  it.each(names)('(%s) is stored exactly as sent and arrives in mail decoded to the same', async (_what, name) => {
    const email = newEmail('unicode');
    const { confirmation } = await signAndConfirm(stack, campaign.slug, { name, email });
    expect(await storedName(email)).toBe(name);
    expect(confirmation.parsed.to?.[0]).toEqual({ name, address: email });
    const head = confirmation.raw.slice(0, confirmation.raw.search(/\r?\n\r?\n/));
    expect(head).toMatch(/^[\t\r\n -~]*$/);
    const copy = await stack.sink.waitFor((m) => m.envelopeTo.includes(email) && m !== confirmation);
    // A subject is one line: whitespace in it (the no-break space too) is collapsed to single spaces.
    expect(copy.parsed.subject).toBe(`The Responsibility to Protect – a letter from ${name.replace(/\s+/g, ' ')}`);
    expect(copy.parsed.text).toContain(`Yours sincerely,\n${name}`);
    const listed = await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}/supporters?q=${encodeURIComponent(email)}`, headers: organiser.auth });
    expect(listed.json().items.map((s: { name: string }) => s.name)).toEqual([name]);
  });

  it('is trimmed of surrounding spaces, as documented, and nothing else', async () => {
    const email = newEmail('trim');
    const response = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaign.slug}/signatures`,
      payload: { name: ' \u00A0 Jane  Doe \u3000', email, consent: true },
    });
    expect(response.statusCode).toBe(202);
    expect(await storedName(email)).toBe('Jane  Doe');
  });
});

describe('what is not text', () => {
  const refused: Array<[string, Record<string, unknown>, string]> = [
    ['NUL in the name', { name: 'Eve\u0000Smith' }, 'name'],
    ['NUL alone', { name: '\u0000' }, 'name'],
    ['an escape character', { name: 'Eve\u001b[31m' }, 'name'],
    ['a C1 control (NEL)', { name: 'Eve\u0085Smith' }, 'name'],
    ['a line separator inside', { name: 'Eve\u2028Smith' }, 'name'],
    ['a lone high surrogate', { name: 'Eve\uD800' }, 'name'],
    ['a lone low surrogate', { name: '\uDC00Eve' }, 'name'],
    ['a surrogate pair the wrong way round', { name: 'Eve\uDE00\uD83D' }, 'name'],
    ['201 characters', { name: '😀'.repeat(201) }, 'name'],
    ['NUL in the email', { email: 'eve\u0000@example.org' }, 'email'],
    ['a non-ASCII email', { email: 'zoë@example.org' }, 'email'],
    ['NUL in the postcode', { postcode: 'SW1A\u00002AH' }, 'postcode'],
  ];

  it.each(refused)('(%s) is refused with 400 naming the field, and nothing is stored', async (_what, change, field) => {
    const before = await settled();
    const response = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaign.slug}/signatures`,
      payload: { name: 'Eve', email: newEmail('refused'), consent: true, ...change },
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'validation_failed', field });
    expect(await fingerprint(handle)).toEqual(before);
  });

  it('in the honeypot field is answered like a sign-up, and stores nothing', async () => {
    const before = await settled();
    const response = await stack.app.inject({
      method: 'POST',
      url: `/c/${campaign.slug}`,
      headers: form,
      payload: `name=Eve&email=${encodeURIComponent(newEmail('bot'))}&consent=true&website=%00`,
    });
    expect(response.statusCode).toBe(202);
    expect(await fingerprint(handle)).toEqual(before);
  });

  it('in the sign form gets the form back with the error beside the field', async () => {
    const response = await stack.app.inject({
      method: 'POST',
      url: `/c/${campaign.slug}`,
      headers: form,
      payload: `name=Eve%00Smith&email=${encodeURIComponent(newEmail('form'))}&consent=true`,
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('id="name-error"');
  });
});

describe('NUL and other junk anywhere', () => {
  it('is never a 500: paths, queries and bodies of every kind get a 4xx with the right shape, and change nothing', async () => {
    const cursorOf = (createdAt: string) => Buffer.from(JSON.stringify([createdAt, '00000000-0000-4000-8000-000000000000'])).toString('base64url');
    const nul = '\u0000';
    const requests: Array<{ method: 'GET' | 'POST' | 'PATCH'; url: string; payload?: string | object; headers?: Record<string, string> }> = [
      { method: 'GET', url: '/c/%00' },
      { method: 'GET', url: '/c/a%00b' },
      { method: 'POST', url: '/c/%00', headers: form, payload: 'name=Eve&email=eve%40example.org&consent=true' },
      { method: 'POST', url: '/api/v1/campaigns/%00/signatures', payload: { name: 'Eve', email: 'eve@example.org', consent: true } },
      { method: 'GET', url: '/confirm/%00' },
      { method: 'POST', url: '/u/%00', headers: form, payload: 'List-Unsubscribe=One-Click' },
      { method: 'GET', url: '/privacy/%00' },
      { method: 'POST', url: '/privacy', headers: form, payload: 'email=%00' },
      { method: 'GET', url: '/c/%E0%A4%A' },
      { method: 'GET', url: '/api/v1/campaigns/%E0%A4%A' },
      { method: 'GET', url: '/api/v1/campaigns/%00' },
      { method: 'GET', url: '/api/v1/campaigns?status=%00' },
      { method: 'GET', url: '/api/v1/campaigns?limit=%00' },
      { method: 'GET', url: `/api/v1/campaigns/${campaign.id}/supporters?q=%00` },
      { method: 'GET', url: `/api/v1/campaigns/${campaign.id}/supporters?q=a%00b` },
      { method: 'GET', url: `/api/v1/replies/%00` },
      { method: 'POST', url: `/api/v1/broadcasts/%00/start` },
      { method: 'POST', url: '/api/v1/campaigns', payload: campaignBody({ slug: `a${nul}b` }) },
      { method: 'POST', url: '/api/v1/campaigns', payload: campaignBody({ summary: `a${nul}b` }) },
      { method: 'POST', url: '/api/v1/campaigns', payload: campaignBody({ consentStatement: `I agree${nul}` }) },
      { method: 'POST', url: '/api/v1/campaigns', payload: campaignBody({ replyPolicy: { mode: 'auto', allowedSenders: [`fco${nul}.gov.example`] } }) },
      { method: 'POST', url: '/api/v1/campaigns', payload: campaignBody({ target: { name: 'M', email: 'm@fco.gov.example', address: `London${nul}` } }) },
      { method: 'PATCH', url: `/api/v1/campaigns/${campaign.id}`, payload: { title: nul } },
      { method: 'POST', url: `/api/v1/campaigns/${campaign.id}/broadcasts`, payload: { kind: 'update', subject: 'News', body: `a${nul}b` } },
      { method: 'POST', url: `/api/v1/campaigns/${campaign.id}/preview`, payload: { body: `a${nul}b` } },
      { method: 'POST', url: `/api/v1/campaigns/${campaign.id}/replies`, payload: { fromAddress: 'm@fco.gov.example', subject: 'Re', body: `a${nul}b` } },
      { method: 'POST', url: `/api/v1/campaigns/${campaign.id}/replies`, payload: { fromAddress: 'm@fco.gov.example', subject: '\uD800', body: 'b' } },
      // Cursors that are not ours: Date.parse takes some of these, Postgres none.
      ...['1', 'March 7', '2026-02-30 10:00:00+00', '0000-01-01 00:00:00+00', '2026-01-01 25:00:00+00', `2026-01-01${nul}`, '2026-01-01 10:00:00+99'].flatMap(
        (createdAt) => [
          { method: 'GET' as const, url: `/api/v1/campaigns?cursor=${cursorOf(createdAt)}` },
          { method: 'GET' as const, url: `/api/v1/campaigns/${campaign.id}/supporters?cursor=${cursorOf(createdAt)}` },
        ],
      ),
    ];
    const before = await settled();
    for (const request of requests) {
      const response = await stack.app.inject({
        ...request,
        headers: { ...(request.url.startsWith('/api/v1/') ? organiser.auth : {}), ...request.headers },
      });
      const what = `${request.method} ${request.url} ${JSON.stringify(request.payload ?? '').slice(0, 80)} → ${response.statusCode} ${response.body.slice(0, 200)}`;
      expect(response.statusCode, what).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, what).toBeLessThan(500);
      expectErrorShape(response, request.url, response.statusCode);
      if (request.url.includes('cursor=')) expect(response.json().error.field, what).toBe('cursor');
    }
    expect(await fingerprint(handle)).toEqual(before);
  });

  it('in a received reply is dropped, and the reply is recorded rather than retried for ever', async () => {
    const replyAddress = (await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}`, headers: organiser.auth })).json().replyAddress;
    const raw = Buffer.from(
      [
        'From: =?utf-8?q?The_Min=00ister?= <minister@fco.gov.example>',
        `To: ${replyAddress}`,
        'Subject: =?utf-8?q?Our_re=00ply?=',
        `Message-ID: <nul-${uniqueSuffix()}@fco.gov.example>`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'We have\u0000 considered your letter.',
        '',
      ].join('\r\n'),
    );
    const timestamp = String(Math.floor(Date.now() / 1000));
    const received = await stack.app.inject({
      method: 'POST',
      url: '/api/v1/inbound',
      headers: {
        'content-type': 'message/rfc822',
        'x-inbound-timestamp': timestamp,
        'x-inbound-signature': signInboundRequest(INBOUND_SECRET, timestamp, { to: replyAddress }, raw),
        'x-envelope-to': replyAddress,
      },
      payload: raw,
    });
    expect(received.statusCode).toBe(202);
    const inbound = await waitForValue(
      async () => (await handle.pool.query('SELECT status FROM inbound_messages WHERE id = $1', [received.json().id])).rows[0].status as string,
      (status) => status !== 'received',
      'the received reply to be processed',
    );
    expect(inbound).toBe('processed');
    const replies = (await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}/replies`, headers: organiser.auth })).json().items;
    const reply = replies.find((r: { subject: string }) => r.subject === 'Our reply');
    // Held all the same: an encoded word in From is never trusted (see reply-trust.test.ts).
    expect(reply).toMatchObject({ from: { address: 'minister@fco.gov.example', name: 'The Minister' }, status: 'held' });
    expect(reply.reason).toContain('encoded word');
    expect(reply.text).toContain('We have considered your letter.');
  });
});
