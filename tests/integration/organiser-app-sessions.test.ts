/**
 * The organiser app's front door: no session, no page; a state-changing request without the page's
 * CSRF token is refused and changes nothing; signing out (here, or everywhere) ends sessions for good.
 */
import { describe, expect, it } from 'vitest';
import { appGet, appPost, signIn } from '../support/app-session.js';
import { fingerprint } from '../support/routes.js';
import { useTestStack } from '../support/test-stack.js';

const { app, handle } = useTestStack({ runs: 'app' });

/** The token with its last character changed: never the token itself (a token may end in 'A'). */
const altered = (token: string) => token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');

describe('without a session', () => {
  it('every page sends the browser to sign in, and anything else is refused', async () => {
    for (const url of ['/app', '/app/settings', '/app/campaigns', '/app/no-such-page']) {
      const response = await appGet(app, undefined, url);
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location, url).toBe('/app/sign-in');
    }
    const post = await appPost(app, undefined, '/app/sign-out-everywhere', {}, { csrfToken: 'x'.repeat(43) });
    expect(post.statusCode).toBe(401);
    expect(post.body).toContain('Please sign in again');
  });

  it('the sign-in page is open, with a form carrying its CSRF token and an HttpOnly, SameSite=Lax cookie', async () => {
    const page = await appGet(app, undefined, '/app/sign-in');
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toMatch(/<input type="hidden" name="_csrf" value="[A-Za-z0-9_-]{43}">/);
    expect(page.body).toContain('<label for="email">Email address');
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toMatch(/^cl_browser=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/app; HttpOnly; Secure; SameSite=Lax$/);
  });
});

describe('a signed-in user', () => {
  it('lands on the campaigns list', async () => {
    const session = await signIn(handle);
    const home = await appGet(app, session, '/app');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/app/campaigns');
    const signInPage = await appGet(app, session, '/app/sign-in');
    expect(signInPage.headers.location).toBe('/app/campaigns');
  });

  it('cannot sign out without the CSRF token of their own session, and nothing changes', async () => {
    const session = await signIn(handle);
    const other = await signIn(handle);
    const before = await fingerprint(handle);
    for (const csrfToken of [null, '', 'forged', other.csrfToken, altered(session.csrfToken)]) {
      const response = await appPost(app, session, '/app/sign-out-everywhere', {}, { csrfToken });
      expect(response.statusCode, String(csrfToken)).toBe(403);
      expect(response.body).toContain('This form has expired');
      expect(response.headers['set-cookie']).toBeUndefined();
    }
    expect(await fingerprint(handle)).toEqual(before);
  });

  it('is signed out by sign-out, and the old cookie is dead', async () => {
    const session = await signIn(handle);
    const elsewhere = await signIn(handle, { organiser: session.organiser, role: 'owner' });
    const out = await appPost(app, session, '/app/sign-out');
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/app/sign-in?signed-out=1');
    expect(String(out.headers['set-cookie'])).toMatch(/^cl_session=; Max-Age=0; Path=\/app; HttpOnly; Secure; SameSite=Lax$/);
    expect((await appGet(app, session, '/app/settings')).headers.location).toBe('/app/sign-in');
    expect((await appPost(app, session, '/app/sign-out')).statusCode).toBe(401);
    // Another session is another browser: still signed in.
    expect((await appGet(app, elsewhere, '/app')).headers.location).toBe('/app/campaigns');
  });

  it('signs out on every device with sign-out-everywhere', async () => {
    const session = await signIn(handle);
    const { rows } = await handle.pool.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [session.user.userId]);
    expect(rows[0]!.email).toBe(session.user.email);
    const sameUserElsewhere = { ...session, ...(await secondSessionOf(session.user.userId)) };
    const out = await appPost(app, session, '/app/sign-out-everywhere');
    expect(out.headers.location).toBe('/app/sign-in?signed-out=everywhere');
    for (const dead of [session, sameUserElsewhere]) {
      expect((await appGet(app, dead, '/app')).headers.location).toBe('/app/sign-in');
    }
    const count = await handle.pool.query('SELECT 1 FROM sessions WHERE user_id = $1', [session.user.userId]);
    expect(count.rowCount).toBe(0);
  });
});

async function secondSessionOf(userId: string) {
  const { startSession } = await import('../../src/organiser-app/sessions.js');
  const { token } = await startSession(handle.db, userId, { idleMinutes: 120, maxHours: 12 });
  return { cookie: `cl_session=${token}` };
}
