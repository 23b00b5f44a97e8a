/**
 * /app/settings: owners invite people (who get a sign-in link by mail), change roles, remove people
 * and manage API keys; editors only look; an organiser always keeps an owner; another organiser's
 * people and keys are not found.
 */
import { describe, expect, it } from 'vitest';
import { appGet, appPost, openSignInPage, sessionCookieOf, signIn, signedOutPost, type AppSession } from '../support/app-session.js';
import { linkIn, uniqueSuffix } from '../support/harness.js';
import { fingerprint } from '../support/routes.js';
import { useTestStack } from '../support/test-stack.js';

const { stack, handle } = useTestStack();

const usersOf = async (organiserId: string) =>
  (await handle.pool.query<{ id: string; email: string; role: string }>('SELECT id, email, role FROM users WHERE organiser_id = $1 ORDER BY created_at', [organiserId])).rows;

async function invite(owner: AppSession, form: Record<string, string>) {
  return appPost(stack.app, owner, '/app/settings/users', form);
}

describe('people', () => {
  it('an owner invites a colleague, who signs in from the mailed link as an editor', async () => {
    const owner = await signIn(handle, { name: 'Jane Owner' });
    const email = `colleague-${uniqueSuffix()}@example.org`;
    const seen = new Set(stack.sink.received);
    const invited = await invite(owner, { email: email.toUpperCase(), name: 'Sam Colleague', role: 'editor' });
    expect(invited.statusCode).toBe(303);
    expect(invited.headers.location).toBe('/app/settings?done=invited');
    const page = await appGet(stack.app, owner, '/app/settings?done=invited');
    expect(page.body).toContain('Invitation sent.');
    expect(page.body).toContain(email);

    const mail = await stack.sink.waitFor((m) => !seen.has(m) && m.envelopeTo.includes(email));
    expect(mail.parsed.subject).toBe("Jane Owner invited you to UNA-UK's campaign letters");
    const path = linkIn(mail.parsed.text!, '/app/sign-in/');
    const browser = await openSignInPage(stack.app);
    const signedIn = await signedOutPost(stack.app, browser, path);
    expect(signedIn.statusCode).toBe(303);
    const colleague = await stack.app.inject({ method: 'GET', url: '/app/settings', headers: { cookie: sessionCookieOf(signedIn)! } });
    expect(colleague.statusCode).toBe(200);
    expect(colleague.body).toContain('Signed in as Sam Colleague');
    expect(colleague.body).toContain('You are an editor');
    expect(colleague.body).not.toContain('action="/app/settings/users"');
  });

  it('refuses a bad invitation with the error beside its field, and changes nothing', async () => {
    const owner = await signIn(handle);
    const before = await fingerprint(handle);
    const cases: Array<[Record<string, string>, string, number]> = [
      [{ email: '', role: 'editor' }, 'invite-email', 400],
      [{ email: 'not-an-address', role: 'editor' }, 'invite-email', 400],
      [{ email: `x-${uniqueSuffix()}@example.org`, role: 'admin' }, 'invite-role', 400],
      [{ email: `x-${uniqueSuffix()}@example.org`, role: 'editor', name: 'n'.repeat(201) }, 'invite-name', 400],
      [{ email: owner.user.email.toUpperCase(), role: 'editor' }, 'invite-email', 409],
    ];
    for (const [form, field, status] of cases) {
      const response = await invite(owner, form);
      expect(response.statusCode, JSON.stringify(form)).toBe(status);
      expect(response.body, JSON.stringify(form)).toContain(`<span class="error" id="${field}-error">`);
      expect(response.body).toContain(`<a href="#${field}">`);
    }
    expect(await fingerprint(handle)).toEqual(before);
  });

  it('changes roles and removes people, but never the last owner; a removed user is signed out at once', async () => {
    const owner = await signIn(handle);
    const editor = await signIn(handle, { organiser: owner.organiser, role: 'editor' });
    const promote = await appPost(stack.app, owner, `/app/settings/users/${editor.user.userId}/role`, { role: 'owner' });
    expect(promote.headers.location).toBe('/app/settings?done=role-changed');
    expect((await usersOf(owner.user.organiserId)).map((u) => u.role)).toEqual(['owner', 'owner']);
    // Two owners: either may step down, but not both.
    expect((await appPost(stack.app, owner, `/app/settings/users/${owner.user.userId}/role`, { role: 'editor' })).statusCode).toBe(303);
    const before = await fingerprint(handle);
    const demoteLast = await appPost(stack.app, editor, `/app/settings/users/${editor.user.userId}/role`, { role: 'editor' });
    expect(demoteLast.statusCode).toBe(409);
    expect(demoteLast.body).toContain('You cannot demote the last owner');
    const removeLast = await appPost(stack.app, editor, `/app/settings/users/${editor.user.userId}/remove`);
    expect(removeLast.statusCode).toBe(409);
    expect(await fingerprint(handle)).toEqual(before);

    const confirm = await appGet(stack.app, editor, `/app/settings/users/${owner.user.userId}/remove`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(`<form method="post" action="/app/settings/users/${owner.user.userId}/remove"`);
    const removed = await appPost(stack.app, editor, `/app/settings/users/${owner.user.userId}/remove`);
    expect(removed.headers.location).toBe('/app/settings?done=removed');
    expect((await appGet(stack.app, owner, '/app/settings')).headers.location).toBe('/app/sign-in');
    expect((await usersOf(owner.user.organiserId)).map((u) => u.id)).toEqual([editor.user.userId]);
  });
});

describe('API keys', () => {
  it('are created (the key shown once, only its hash kept) and revoked after a confirmation', async () => {
    const owner = await signIn(handle);
    const created = await appPost(stack.app, owner, '/app/settings/api-keys');
    expect(created.statusCode).toBe(201);
    const apiKey = /value="(clk_[A-Za-z0-9_-]{43})"/.exec(created.body)![1]!;
    expect(created.body).toContain('it is shown only this once');
    const auth = { authorization: `Bearer ${apiKey}` };
    expect((await stack.app.inject({ method: 'GET', url: '/api/v1/campaigns', headers: auth })).statusCode).toBe(200);

    const settings = await appGet(stack.app, owner, '/app/settings');
    expect(settings.body).not.toContain(apiKey);
    expect(settings.body).toContain(`${apiKey.slice(0, 12)}…`);
    expect(JSON.stringify((await handle.pool.query('SELECT * FROM api_keys')).rows)).not.toContain(apiKey);

    const { rows } = await handle.pool.query<{ id: string }>('SELECT id FROM api_keys WHERE key_prefix = $1', [apiKey.slice(0, 12)]);
    const keyId = rows[0]!.id;
    const confirm = await appGet(stack.app, owner, `/app/settings/api-keys/${keyId}/revoke`);
    expect(confirm.body).toContain('Integrations using this key stop working at once');
    expect((await stack.app.inject({ method: 'GET', url: '/api/v1/campaigns', headers: auth })).statusCode).toBe(200);
    const revoked = await appPost(stack.app, owner, `/app/settings/api-keys/${keyId}/revoke`);
    expect(revoked.headers.location).toBe('/app/settings?done=revoked');
    expect((await stack.app.inject({ method: 'GET', url: '/api/v1/campaigns', headers: auth })).statusCode).toBe(401);
    expect((await appPost(stack.app, owner, `/app/settings/api-keys/${keyId}/revoke`)).statusCode).toBe(404);
  });
});

describe('an editor', () => {
  it('sees people and keys, but every change is 403 and changes nothing', async () => {
    const owner = await signIn(handle);
    const editor = await signIn(handle, { organiser: owner.organiser, role: 'editor' });
    const { rows } = await handle.pool.query<{ id: string }>('SELECT id FROM api_keys WHERE organiser_id = $1', [owner.user.organiserId]);
    const keyId = rows[0]!.id;
    const page = await appGet(stack.app, editor, '/app/settings');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(owner.user.email);
    expect(page.body).toContain('Active');

    const before = await fingerprint(handle);
    const attempts: Array<[string, Record<string, string>]> = [
      ['/app/settings/users', { email: `x-${uniqueSuffix()}@example.org`, role: 'owner' }],
      [`/app/settings/users/${editor.user.userId}/role`, { role: 'owner' }],
      [`/app/settings/users/${owner.user.userId}/role`, { role: 'editor' }],
      [`/app/settings/users/${owner.user.userId}/remove`, {}],
      ['/app/settings/api-keys', {}],
      [`/app/settings/api-keys/${keyId}/revoke`, {}],
    ];
    for (const [url, form] of attempts) {
      const response = await appPost(stack.app, editor, url, form);
      expect(response.statusCode, url).toBe(403);
      expect(response.body).toContain('Only an owner of your organisation can do this');
    }
    for (const url of [`/app/settings/users/${owner.user.userId}/remove`, `/app/settings/api-keys/${keyId}/revoke`]) {
      expect((await appGet(stack.app, editor, url)).statusCode, url).toBe(403);
    }
    expect(await fingerprint(handle)).toEqual(before);
  });
});
