/**
 * The organiser's profile and logo through the API: what is stored, what is served, and every bad
 * input refused with the JSON error while nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { newOrganiser, openTestDatabase, startApp, type TestOrganiser } from '../support/harness.js';
import { multipartFile, tinyPng } from '../support/images.js';

type App = Awaited<ReturnType<typeof startApp>>;
let app: App;
let handle: DatabaseHandle;
let organiser: TestOrganiser;

const LIMIT = 4096;

beforeAll(async () => {
  app = await startApp({ ORGANISER_LOGO_MAX_BYTES: String(LIMIT) });
  handle = openTestDatabase();
  organiser = await newOrganiser(handle, 'UNA-UK');
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

const profile = async (who = organiser) => (await app.inject({ method: 'GET', url: '/api/v1/organiser/profile', headers: who.auth })).json();
const putProfile = (payload: unknown) => app.inject({ method: 'PUT', url: '/api/v1/organiser/profile', headers: organiser.auth, payload: payload as object });
const putLogo = (content: Buffer, filename: string, contentType: string, field = 'logo') => {
  const { body, headers } = multipartFile(field, filename, contentType, content);
  return app.inject({ method: 'PUT', url: '/api/v1/organiser/logo', headers: { ...organiser.auth, ...headers }, payload: body });
};

describe('the organiser profile', () => {
  it('starts with the organiser’s name, and is replaced whole by PUT', async () => {
    expect(await profile()).toEqual({ id: organiser.id, name: 'UNA-UK', website: null, postalAddress: null, logo: null });
    const saved = await putProfile({ name: 'United Nations Association – UK', website: 'https://una.org.uk', postalAddress: '3 Whitehall Court  \nLondon SW1A 2EL\n' });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ name: 'United Nations Association – UK', website: 'https://una.org.uk', postalAddress: '3 Whitehall Court\nLondon SW1A 2EL' });
    expect(await profile()).toEqual(saved.json());
  });

  it.each([
    [{ name: '' }, 'name'],
    [{ name: 'UNA-UK\nBcc: x@example.org' }, 'name'],
    [{ name: 'UNA-UK', website: 'javascript:alert(1)' }, 'website'],
    [{ name: 'UNA-UK', website: 'una.org.uk' }, 'website'],
    [{ name: 'UNA-UK', postalAddress: Array.from({ length: 9 }, (_, i) => `Line ${i}`).join('\n') }, 'postalAddress'],
    [{ name: 'UNA-UK', colour: 'blue' }, 'colour'],
    [{ website: 'https://una.org.uk' }, 'name'],
  ])('refuses %j, naming %s, and changes nothing', async (payload, field) => {
    const before = await profile();
    const response = await putProfile(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'validation_failed', field });
    expect(await profile()).toEqual(before);
  });
});

describe('the logo', () => {
  it.each([
    ['an SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'logo.svg', 'image/svg+xml', /PNG or JPEG/],
    ['a text file named .png', Buffer.from('not really a picture\n'), 'logo.png', 'image/png', /PNG or JPEG/],
    ['a GIF', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), 'logo.gif', 'image/gif', /this file is a GIF/],
    ['a PNG over the limit', Buffer.concat([tinyPng(), Buffer.alloc(LIMIT)]), 'logo.png', 'image/png', /at most 4 KB/],
    ['an empty file', Buffer.alloc(0), 'logo.png', 'image/png', /empty/],
  ])('refuses %s with a 400 on field logo, and stores nothing', async (_what, content, filename, contentType, message) => {
    const response = await putLogo(content, filename, contentType);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'validation_failed', field: 'logo' });
    expect(response.json().error.message).toMatch(message);
    expect((await profile()).logo).toBeNull();
  });

  it('refuses a file in another field, and a JSON body', async () => {
    expect((await putLogo(tinyPng(), 'logo.png', 'image/png', 'picture')).json().error).toMatchObject({ code: 'validation_failed', field: 'logo' });
    const json = await app.inject({ method: 'PUT', url: '/api/v1/organiser/logo', headers: organiser.auth, payload: { logo: 'data:image/png;base64,AAAA' } });
    expect(json.statusCode).toBe(400);
    expect((await profile()).logo).toBeNull();
  });

  it('stores a PNG whatever it is called, serves it publicly with its sniffed type, and removes it', async () => {
    const png = tinyPng();
    const saved = await putLogo(png, 'logo.svg', 'image/svg+xml');
    expect(saved.statusCode, saved.body).toBe(200);
    const { logo } = saved.json();
    expect(logo).toMatchObject({ contentType: 'image/png', bytes: png.length });
    const url = new URL(logo.url);
    expect(url.pathname).toBe(`/organisers/${organiser.id}/logo`);

    const served = await app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
    expect(served.statusCode).toBe(200);
    expect(served.rawPayload.equals(png)).toBe(true);
    expect(served.headers).toMatchObject({ 'content-type': 'image/png', 'x-content-type-options': 'nosniff', 'cache-control': 'public, max-age=31536000, immutable' });
    const again = await app.inject({ method: 'GET', url: url.pathname, headers: { 'if-none-match': String(served.headers.etag) } });
    expect(again.statusCode).toBe(304);

    const someoneElse = await newOrganiser(handle, 'Another organisation');
    expect((await profile(someoneElse)).logo).toBeNull();
    expect((await app.inject({ method: 'GET', url: `/organisers/${someoneElse.id}/logo` })).statusCode).toBe(404);

    const removed = await app.inject({ method: 'DELETE', url: '/api/v1/organiser/logo', headers: organiser.auth });
    expect(removed.json().logo).toBeNull();
    expect((await app.inject({ method: 'GET', url: url.pathname })).statusCode).toBe(404);
  });

  it('is described in the OpenAPI document', async () => {
    const paths = (await app.inject({ method: 'GET', url: '/openapi.json' })).json().paths;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/api/v1/organiser/profile', '/api/v1/organiser/logo', '/organisers/{id}/logo']));
    expect(Object.keys(paths['/api/v1/organiser/logo'])).toEqual(expect.arrayContaining(['put', 'delete']));
  });
});
