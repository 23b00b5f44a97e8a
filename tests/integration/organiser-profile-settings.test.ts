/**
 * The organisation's profile in /app/settings: an owner saves the name, website and address and
 * uploads a logo (a multipart form carrying its CSRF token), which the campaign page then shows and
 * offers to link previews; bad input comes back beside its field with a summary and changes nothing;
 * editors only look; a form without its token is refused.
 */
import { describe, expect, it } from 'vitest';
import { appGet, appPost, appPostFile, signIn, type AppSession, type UploadedFile } from '../support/app-session.js';
import { createPublishedCampaign } from '../support/harness.js';
import { tinyPng } from '../support/images.js';
import { fingerprint } from '../support/routes.js';
import { useTestStack } from '../support/test-stack.js';

const LOGO_MAX_BYTES = 4096;
const { app, handle } = useTestStack({ runs: 'app', env: { ORGANISER_LOGO_MAX_BYTES: String(LOGO_MAX_BYTES) } });

/** The logo form as a browser posts it. */
const logoForm = (session: AppSession, file: UploadedFile | undefined, csrfToken?: string | null) =>
  appPostFile(app, session, '/app/settings/logo', 'logo', file, { csrfToken });

const profileOf = async (session: AppSession) =>
  (await app.inject({ method: 'GET', url: '/api/v1/organiser/profile', headers: session.organiser.auth })).json();

describe('the organisation profile in settings', () => {
  it('an owner saves the profile and uploads a logo, which the campaign page shows and previews link to', async () => {
    const owner = await signIn(handle);
    const saved = await appPost(app, owner, '/app/settings/profile', {
      name: 'United Nations Association – UK',
      website: 'https://una.org.uk',
      postalAddress: '3 Whitehall Court\r\nLondon SW1A 2EL',
    });
    expect(saved.statusCode, saved.body).toBe(303);
    expect(saved.headers.location).toBe('/app/settings?done=profile-saved#profile');
    expect(await profileOf(owner)).toMatchObject({ name: 'United Nations Association – UK', website: 'https://una.org.uk', postalAddress: '3 Whitehall Court\nLondon SW1A 2EL', logo: null });
    const page = await appGet(app, owner, '/app/settings?done=profile-saved');
    expect(page.body).toContain('Profile saved');
    expect(page.body).toContain('value="https://una.org.uk"');
    expect(page.body).toContain('No logo yet.');

    const png = tinyPng(120, 40);
    const uploaded = await logoForm(owner, { filename: 'logo.png', contentType: 'image/png', content: png });
    expect(uploaded.statusCode, uploaded.body).toBe(303);
    const { logo } = await profileOf(owner);
    expect(logo).toMatchObject({ contentType: 'image/png', bytes: png.length });
    const path = new URL(logo.url).pathname + new URL(logo.url).search;
    expect((await appGet(app, owner, '/app/settings')).body).toContain(`<img src="${path}" alt="Your current logo"`);
    expect((await app.inject({ method: 'GET', url: path })).rawPayload.equals(png)).toBe(true);

    const campaign = await createPublishedCampaign(app, owner.organiser);
    const publicPage = (await app.inject({ method: 'GET', url: `/c/${campaign.slug}` })).body;
    expect(publicPage).toContain(`<img class="logo" src="${path}"`);
    expect(publicPage).toContain(`<meta property="og:image" content="${logo.url}">`);
    expect(publicPage).toContain(`<meta name="twitter:image" content="${logo.url}">`);
    expect(logo.url).toMatch(/^https:\/\/letters\.example\.org\/organisers\//);

    const removed = await appPost(app, owner, '/app/settings/logo/remove');
    expect(removed.statusCode).toBe(303);
    expect((await profileOf(owner)).logo).toBeNull();
    const after = (await app.inject({ method: 'GET', url: `/c/${campaign.slug}` })).body;
    expect(after).not.toContain('og:image');
    expect(after).not.toContain('class="logo"');
  });

  it('refuses a bad profile with each error beside its field and in the summary, keeps what was typed, and saves nothing', async () => {
    const owner = await signIn(handle);
    const before = await fingerprint(handle);
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{ name: '', website: '', postalAddress: '' }, 'profile-name', /Enter the organisation name/],
      [{ name: 'UNA-UK', website: 'una.org.uk', postalAddress: '' }, 'profile-website', /Website must be a web address starting with https:\/\//],
      [{ name: 'UNA-UK', website: 'javascript:alert(1)', postalAddress: '' }, 'profile-website', /Website must be a web address/],
      [{ name: 'UNA-UK', website: '', postalAddress: Array.from({ length: 9 }, (_, i) => `Line ${i}`).join('\n') }, 'profile-postalAddress', /Postal address must be at most 8 lines/],
    ];
    for (const [form, field, message] of cases) {
      const response = await appPost(app, owner, '/app/settings/profile', form);
      expect(response.statusCode, field).toBe(400);
      expect(response.body).toContain('<title>Error: Settings');
      expect(response.body).toMatch(new RegExp(`<span class="error" id="${field}-error"><span class="visually-hidden">Error:</span> ${message.source}`));
      expect(response.body).toContain(`<li><a href="#${field}">`);
      expect(response.body).toContain(`aria-invalid="true"`);
      if (form.website) expect(response.body).toContain(`value="${form.website.replace('&', '&amp;')}"`);
    }
    expect(await fingerprint(handle)).toEqual(before);
  });

  it('refuses a logo of the wrong type, too large, or missing, beside the field, and stores nothing', async () => {
    const owner = await signIn(handle);
    const before = await fingerprint(handle);
    const gif = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.alloc(64)]);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const cases: Array<[Parameters<typeof logoForm>[1], number, RegExp]> = [
      [{ filename: 'logo.png', contentType: 'image/png', content: gif }, 400, /The logo must be a PNG or JPEG image \(this file is a GIF\)/],
      [{ filename: 'logo.svg', contentType: 'image/svg+xml', content: svg }, 400, /The logo must be a PNG or JPEG image/],
      [{ filename: 'logo.png', contentType: 'image/png', content: Buffer.concat([tinyPng(), Buffer.alloc(LOGO_MAX_BYTES)]) }, 413, /The logo must be at most 4 KB/],
      // Far over the limit: refused unread, with the same words.
      [{ filename: 'big.png', contentType: 'image/png', content: Buffer.concat([tinyPng(), Buffer.alloc(200 * 1024)]) }, 413, /The logo must be at most 4 KB/],
      [undefined, 400, /Choose a PNG or JPEG file to upload/],
    ];
    for (const [file, status, message] of cases) {
      const response = await logoForm(owner, file);
      expect(response.statusCode, file?.filename ?? 'no file').toBe(status);
      expect(response.body).toMatch(new RegExp(`id="logo-error"><span class="visually-hidden">Error:</span> ${message.source}`));
      expect(response.body).toContain('<li><a href="#logo">');
    }
    expect(await fingerprint(handle)).toEqual(before);
  });

  it('lets an editor see the profile but change nothing (403)', async () => {
    const owner = await signIn(handle);
    await appPost(app, owner, '/app/settings/profile', { name: 'UNA-UK', website: 'https://una.org.uk', postalAddress: '3 Whitehall Court' });
    await logoForm(owner, { filename: 'logo.png', contentType: 'image/png', content: tinyPng() });
    const editor = await signIn(handle, { organiser: owner.organiser, role: 'editor' });
    const page = await appGet(app, editor, '/app/settings');
    expect(page.body).toContain('<dd>https://una.org.uk</dd>');
    expect(page.body).toContain('alt="Your current logo"');
    expect(page.body).not.toContain('action="/app/settings/profile"');
    expect(page.body).not.toContain('action="/app/settings/logo"');

    const before = await fingerprint(handle);
    const attempts = [
      await appPost(app, editor, '/app/settings/profile', { name: 'Hijacked', website: '', postalAddress: '' }),
      await logoForm(editor, { filename: 'logo.png', contentType: 'image/png', content: tinyPng(30, 30) }),
      await appPost(app, editor, '/app/settings/logo/remove'),
    ];
    for (const response of attempts) {
      expect(response.statusCode).toBe(403);
      expect(response.body).toContain('Only an owner');
    }
    expect(await fingerprint(handle)).toEqual(before);
  });

  it('refuses a form without its CSRF token (403), whichever form, and changes nothing', async () => {
    const owner = await signIn(handle);
    const other = await signIn(handle);
    const before = await fingerprint(handle);
    const attempts = [
      await appPost(app, owner, '/app/settings/profile', { name: 'Forged' }, { csrfToken: null }),
      await appPost(app, owner, '/app/settings/profile', { name: 'Forged' }, { csrfToken: other.csrfToken }),
      await logoForm(owner, { filename: 'logo.png', contentType: 'image/png', content: tinyPng() }, null),
      await logoForm(owner, { filename: 'logo.png', contentType: 'image/png', content: tinyPng() }, other.csrfToken),
      await appPost(app, owner, '/app/settings/logo/remove', {}, { csrfToken: null }),
    ];
    for (const response of attempts) {
      expect(response.statusCode).toBe(403);
      expect(response.body).toContain('This form has expired');
    }
    expect(await fingerprint(handle)).toEqual(before);
  });
});
