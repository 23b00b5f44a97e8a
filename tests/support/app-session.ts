/**
 * Signing in to the organiser web app in tests without the mail round trip: a user and a session
 * made directly through the users and sessions services (the real ones: the session guard cannot
 * tell these sessions from those started by a sign-in link), and requests that carry the session
 * cookie and the page's CSRF token as a browser would.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Config } from '../../src/config.js';
import type { DatabaseHandle } from '../../src/db/client.js';
import type { AppUser, UserRole } from '../../src/organiser-app/app-user.js';
import { SESSION_COOKIE } from '../../src/organiser-app/session-cookie.js';
import { csrfTokenFor } from '../../src/organiser-app/session-tokens.js';
import { startSession } from '../../src/organiser-app/sessions.js';
import { createUser, findUserByEmail } from '../../src/organiser-app/users.js';
import { CSRF_FIELD } from '../../src/web/form-fields.js';
import { newOrganiser, testConfig, uniqueSuffix, type TestOrganiser } from './harness.js';

export interface AppSession {
  user: AppUser;
  /** The organiser's first API key, for arranging data through the API. */
  organiser: TestOrganiser;
  sessionId: string;
  /** `cl_session=<token>`, as the browser sends it. */
  cookie: string;
  csrfToken: string;
}

export interface SignInOptions {
  /** Sign in as a user of this organiser (from an earlier signIn); a new organiser otherwise. */
  organiser?: TestOrganiser;
  /** `owner` (default) or `editor`. A new organiser's owner is its first user, its own address. */
  role?: UserRole;
  name?: string;
  config?: Config;
}

export async function signIn(handle: DatabaseHandle, options: SignInOptions = {}): Promise<AppSession> {
  const config = options.config ?? testConfig();
  const role = options.role ?? 'owner';
  let organiser = options.organiser;
  let row;
  if (!organiser) {
    organiser = await newOrganiser(handle, 'UNA-UK');
    if (role === 'owner') {
      const email = (await handle.pool.query<{ email: string }>('SELECT email FROM organisers WHERE id = $1', [organiser.id])).rows[0]!.email;
      row = await findUserByEmail(handle.db, email);
    }
  }
  row ??= await createUser(handle.db, organiser.id, { email: `user-${uniqueSuffix()}@example.org`, role, name: options.name });
  if (!row) throw new Error('the organiser has no first user');
  if (options.name && row.name !== options.name) {
    await handle.pool.query('UPDATE users SET name = $1 WHERE id = $2', [options.name, row.id]);
    row = { ...row, name: options.name };
  }
  const { sessionId, token } = await startSession(handle.db, row.id, {
    idleMinutes: config.SESSION_IDLE_MINUTES,
    maxHours: config.SESSION_MAX_HOURS,
  });
  return {
    user: { userId: row.id, organiserId: row.organiserId, role: row.role, email: row.email, name: row.name },
    organiser,
    sessionId,
    cookie: `${SESSION_COOKIE}=${token}`,
    csrfToken: csrfTokenFor(config.SECRET_KEY, { session: sessionId }),
  };
}

export function appGet(app: FastifyInstance, session: AppSession | undefined, url: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url, headers: session ? { cookie: session.cookie } : {} });
}

/**
 * A form POST as the browser sends it: url-encoded, with the session cookie and, unless `csrfToken`
 * says otherwise (a string to send instead, or null for none), the session's CSRF token.
 */
export function appPost(
  app: FastifyInstance,
  session: AppSession | undefined,
  url: string,
  form: Record<string, string> = {},
  options: { csrfToken?: string | null } = {},
): Promise<LightMyRequestResponse> {
  const token = options.csrfToken === undefined ? session?.csrfToken : options.csrfToken;
  const fields = token === null || token === undefined ? form : { ...form, [CSRF_FIELD]: token };
  return app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(session ? { cookie: session.cookie } : {}) },
    payload: new URLSearchParams(fields).toString(),
  });
}

export interface UploadedFile {
  filename: string;
  contentType: string;
  content: Buffer;
}

/**
 * A form with one file as the browser sends it (multipart/form-data): the CSRF field (as appPost
 * decides it) first, then the file in `field`; no file is an empty part, as when none was chosen.
 */
export function appPostFile(
  app: FastifyInstance,
  session: AppSession | undefined,
  url: string,
  field: string,
  file: UploadedFile | undefined,
  options: { csrfToken?: string | null } = {},
): Promise<LightMyRequestResponse> {
  const token = options.csrfToken === undefined ? session?.csrfToken : options.csrfToken;
  const boundary = `----form${randomBytes(8).toString('hex')}`;
  const chosen = file ?? { filename: '', contentType: 'application/octet-stream', content: Buffer.alloc(0) };
  const payload = Buffer.concat([
    Buffer.from(token === null || token === undefined ? '' : `--${boundary}\r\nContent-Disposition: form-data; name="${CSRF_FIELD}"\r\n\r\n${token}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${chosen.filename}"\r\nContent-Type: ${chosen.contentType}\r\n\r\n`),
    chosen.content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...(session ? { cookie: session.cookie } : {}) },
    payload,
  });
}

export interface SignedOutBrowser {
  /** `cl_browser=<value>`: what the sign-in forms' CSRF tokens are bound to. */
  cookie: string;
  csrfToken: string;
}

/** A browser that has opened the sign-in page: its pre-session cookie and the form's CSRF token. */
export async function openSignInPage(app: FastifyInstance): Promise<SignedOutBrowser> {
  const page = await app.inject({ method: 'GET', url: '/app/sign-in' });
  const cookie = /^(cl_browser=[^;]+)/.exec(String(page.headers['set-cookie']))?.[1];
  const csrfToken = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!cookie || !csrfToken) throw new Error(`no sign-in form: ${page.statusCode} ${page.body.slice(0, 200)}`);
  return { cookie, csrfToken };
}

/** A signed-out form POST (the sign-in pages), from `browser` unless it is undefined. */
export function signedOutPost(
  app: FastifyInstance,
  browser: SignedOutBrowser | undefined,
  url: string,
  form: Record<string, string> = {},
  options: { remoteAddress?: string } = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(browser ? { cookie: browser.cookie } : {}) },
    payload: new URLSearchParams(browser ? { ...form, [CSRF_FIELD]: browser.csrfToken } : form).toString(),
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
  });
}

/** The session cookie (`cl_session=<token>`) a response set, if any. */
export function sessionCookieOf(response: LightMyRequestResponse): string | undefined {
  const match = /(?:^|,)(cl_session=[A-Za-z0-9_-]{43});/.exec(String(response.headers['set-cookie']));
  return match?.[1];
}
