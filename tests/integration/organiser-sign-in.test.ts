/**
 * Passwordless sign-in to the organiser app, from the mail that reaches the SMTP sink: the link is
 * mailed through the one-to-one mail ledger, its GET only shows a button, its POST signs in once.
 * A forged, expired, reused or other-purpose link signs nobody in; asking for links is rate-limited.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signLinkToken } from '../../src/links/link-tokens.js';
import { createUser, removeUser } from '../../src/organiser-app/users.js';
import { openSignInPage, sessionCookieOf, signIn, signedOutPost, type SignedOutBrowser } from '../support/app-session.js';
import { linkIn, newOrganiser, startApp, uniqueSuffix, waitUntil } from '../support/harness.js';
import { fingerprint } from '../support/routes.js';
import { useTestStack } from '../support/test-stack.js';

const { stack, handle } = useTestStack();

async function organiserOwner() {
  const organiser = await newOrganiser(handle, 'UNA-UK');
  const { rows } = await handle.pool.query<{ email: string; id: string }>(
    'SELECT u.email, u.id FROM users u JOIN organisers o ON o.id = u.organiser_id WHERE o.id = $1',
    [organiser.id],
  );
  return { organiser, email: rows[0]!.email, userId: rows[0]!.id };
}

/** Asks for a link as a browser would, and returns the link's path from the mail that arrives. */
async function requestLink(email: string, browser?: SignedOutBrowser): Promise<{ path: string; browser: SignedOutBrowser }> {
  const from = browser ?? (await openSignInPage(stack.app));
  const seen = new Set(stack.sink.received);
  const answer = await signedOutPost(stack.app, from, '/app/sign-in', { email });
  expect(answer.statusCode).toBe(200);
  expect(answer.body).toContain('Check your inbox');
  const mail = await stack.sink.waitFor((m) => !seen.has(m) && m.envelopeTo.includes(email.trim().toLowerCase()));
  return { path: linkIn(mail.parsed.text!, '/app/sign-in/'), browser: from };
}

const sessionsOf = async (userId: string) =>
  (await handle.pool.query('SELECT 1 FROM sessions WHERE user_id = $1', [userId])).rowCount;

describe('signing in from the mailed link', () => {
  it('mails a single-use link through the mail ledger; its GET shows a button and its POST signs in', async () => {
    const { email, userId } = await organiserOwner();
    const { path, browser } = await requestLink(`  ${email.toUpperCase()} `);
    const mail = stack.sink.received.at(-1)!;
    expect(mail.parsed.subject).toBe("Sign in to UNA-UK's campaign letters");
    expect(mail.parsed.text).toContain('works once, for 15 minutes');
    const ledger = await handle.pool.query<{ kind: string; status: string }>(
      'SELECT m.kind, m.status FROM transactional_messages m JOIN sign_in_links l ON l.id = m.sign_in_link_id WHERE l.user_id = $1',
      [userId],
    );
    expect(ledger.rows.map((row) => row.kind)).toEqual(['sign_in_link']);

    // Only the token's hash is stored.
    const token = path.split('/').at(-1)!;
    const stored = await handle.pool.query<{ token_hash: Buffer }>('SELECT token_hash FROM sign_in_links WHERE user_id = $1', [userId]);
    expect(stored.rows[0]!.token_hash).toEqual(createHash('sha256').update(token).digest());
    expect(JSON.stringify(await handle.pool.query('SELECT * FROM sign_in_links'))).not.toContain(token);

    // Opening the link (as a mail scanner does) signs nobody in.
    const opened = await stack.app.inject({ method: 'GET', url: path, headers: { cookie: browser.cookie } });
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toContain(`<form method="post" action="${path}">`);
    expect(sessionCookieOf(opened)).toBeUndefined();
    expect(await sessionsOf(userId)).toBe(0);

    const pressed = await signedOutPost(stack.app, browser, path);
    expect(pressed.statusCode).toBe(303);
    expect(pressed.headers.location).toBe('/app/campaigns');
    const cookie = sessionCookieOf(pressed)!;
    expect(String(pressed.headers['set-cookie'])).toContain('; Path=/app; HttpOnly; Secure; SameSite=Lax');
    expect(await sessionsOf(userId)).toBe(1);
    const home = await stack.app.inject({ method: 'GET', url: '/app', headers: { cookie } });
    expect(home.headers.location).toBe('/app/campaigns');

    // Used once: the second press, and a later GET, find nothing.
    const again = await signedOutPost(stack.app, browser, path);
    expect(again.statusCode).toBe(404);
    expect(again.body).toContain('This sign-in link does not work');
    expect(sessionCookieOf(again)).toBeUndefined();
    expect((await stack.app.inject({ method: 'GET', url: path })).statusCode).toBe(404);
    expect(await sessionsOf(userId)).toBe(1);
  });

  it('answers an address nobody signs in with exactly as it answers a user, and mails no one', async () => {
    const { email } = await organiserOwner();
    const browser = await openSignInPage(stack.app);
    const known = await signedOutPost(stack.app, browser, '/app/sign-in', { email });
    await waitUntil(async () => (await handle.pool.query("SELECT 1 FROM transactional_messages WHERE kind = 'sign_in_link' AND status IN ('pending', 'sending')")).rowCount === 0, 'the sign-in mail to be sent');
    const before = await fingerprint(handle);
    const unknown = await signedOutPost(stack.app, browser, '/app/sign-in', { email: `nobody-${uniqueSuffix()}@example.org` });
    expect({ status: unknown.statusCode, body: unknown.body }).toEqual({ status: known.statusCode, body: known.body });
    expect(await fingerprint(handle)).toEqual(before);
  });

  it('shows a malformed address as an error beside the field, and sends nothing', async () => {
    const browser = await openSignInPage(stack.app);
    const before = await fingerprint(handle);
    const response = await signedOutPost(stack.app, browser, '/app/sign-in', { email: 'not an address' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<span class="error" id="email-error">');
    expect(response.body).toContain('href="#email"');
    expect(response.body).toContain('aria-invalid="true"');
    expect(await fingerprint(handle)).toEqual(before);
  });

  it('refuses the link’s POST without the browser’s CSRF token (403), and the link still works after', async () => {
    const { email, userId } = await organiserOwner();
    const { path, browser } = await requestLink(email);
    const otherBrowser = await openSignInPage(stack.app);
    const forgedForms: Array<{ headers: Record<string, string>; form: Record<string, string> }> = [
      { headers: {}, form: {} },
      { headers: { cookie: browser.cookie }, form: {} },
      { headers: { cookie: browser.cookie }, form: { _csrf: otherBrowser.csrfToken } },
      { headers: { cookie: otherBrowser.cookie }, form: { _csrf: browser.csrfToken } },
    ];
    for (const { headers, form } of forgedForms) {
      const response = await stack.app.inject({
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: new URLSearchParams(form).toString(),
      });
      expect(response.statusCode).toBe(403);
      expect(sessionCookieOf(response)).toBeUndefined();
    }
    expect(await sessionsOf(userId)).toBe(0);
    expect((await signedOutPost(stack.app, browser, path)).statusCode).toBe(303);
  });
});

describe('a link that must not work', () => {
  it('forged, expired, for a removed user, or made for another purpose: signs nobody in and changes nothing', async () => {
    const { email, userId, organiser } = await organiserOwner();
    const browser = await openSignInPage(stack.app);
    const expired = await requestLink(email, browser);
    await handle.pool.query("UPDATE sign_in_links SET expires_at = now() - interval '1 second' WHERE user_id = $1", [userId]);
    const colleague = await createUser(handle.db, organiser.id, { email: `colleague-${uniqueSuffix()}@example.org`, role: 'editor' });
    const removed = await requestLink(colleague.email, browser);
    await removeUser(handle.db, organiser.id, colleague.id);
    const session = await signIn(handle);
    const secret = stack.config.SECRET_KEY;
    const ids = { supporterId: crypto.randomUUID(), campaignId: crypto.randomUUID(), issuedAt: new Date() };
    const links: Record<string, string> = {
      'a forged token': `/app/sign-in/${randomBytes(32).toString('base64url')}`,
      'an expired link': expired.path,
      'a removed user’s link': removed.path,
      'a confirmation link’s token': `/app/sign-in/${signLinkToken(secret, { purpose: 'confirm', ...ids })}`,
      'an unsubscribe link’s token': `/app/sign-in/${signLinkToken(secret, { purpose: 'unsubscribe', ...ids })}`,
      'a session token': `/app/sign-in/${session.cookie.split('=')[1]}`,
      'a CSRF token': `/app/sign-in/${session.csrfToken}`,
      'an API key': `/app/sign-in/${organiser.apiKey}`,
      'the expired link with its last character changed': expired.path.slice(0, -1) + (expired.path.endsWith('A') ? 'B' : 'A'),
    };
    const before = await fingerprint(handle);
    for (const [what, path] of Object.entries(links)) {
      const opened = await stack.app.inject({ method: 'GET', url: path, headers: { cookie: browser.cookie } });
      expect(opened.statusCode, what).toBe(404);
      const pressed = await signedOutPost(stack.app, browser, path);
      expect(pressed.statusCode, what).toBe(404);
      expect(pressed.body, what).toContain('This sign-in link does not work');
      expect(sessionCookieOf(pressed), what).toBeUndefined();
    }
    expect(await fingerprint(handle)).toEqual(before);
  });
});

describe('asking for links too often', () => {
  it('is limited per address and per client IP, with 429 and Retry-After', async () => {
    const app = await startApp({ SIGN_IN_EMAIL_RATE_LIMIT_PER_HOUR: '2', SIGN_IN_RATE_LIMIT_PER_HOUR: '4', REDIS_PREFIX: `signin-${uniqueSuffix()}` });
    // A producer connection fails fast rather than queue commands: let it connect first.
    await waitUntil(() => app.redis.status === 'ready', 'the API to connect to Redis');
    try {
      const browser = await openSignInPage(app);
      const ask = (email: string, remoteAddress: string) => signedOutPost(app, browser, '/app/sign-in', { email }, { remoteAddress });
      const target = `target-${uniqueSuffix()}@example.org`;
      const first = await ask(target, '192.0.2.1');
      expect(first.statusCode, first.body).toBe(200);
      expect((await ask(target.toUpperCase(), '192.0.2.2')).statusCode).toBe(200);
      const perAddress = await ask(target, '192.0.2.3');
      expect(perAddress.statusCode).toBe(429);
      expect(Number(perAddress.headers['retry-after'])).toBeGreaterThan(0);
      expect(perAddress.body).toContain('Too many attempts');

      // SIGN_IN_RATE_LIMIT_PER_HOUR is 4: four addresses from one client, then no more.
      for (let i = 0; i < 4; i += 1) expect((await ask(`other-${i}-${uniqueSuffix()}@example.org`, '198.51.100.7')).statusCode).toBe(200);
      const perIp = await ask(`another-${uniqueSuffix()}@example.org`, '198.51.100.7');
      expect(perIp.statusCode).toBe(429);
      expect(Number(perIp.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });
});
