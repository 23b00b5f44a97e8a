/**
 * The links in mail (confirm, unsubscribe with its RFC 8058 one-click POST, and the "your data" link
 * to download or erase) cannot be forged, re-pointed at another person or campaign, used for another
 * purpose, used after they expire, or used again once what they pointed at is gone. Every refusal is
 * the friendly "does not work" (or "expired") page and changes no table. The tokens here start from
 * the real links the mails carry; tests/unit/link-tokens.test.ts covers the token format alone.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { signLinkToken, type LinkClaims } from '../../src/links/link-tokens.js';
import { createPublishedCampaign, linkIn, signAndConfirm, uniqueSuffix, waitUntil } from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';
import { fingerprint } from '../support/routes.js';

const { stack, handle, organiser } = useTestStack({ organiser: 'UNA-UK' });
let campaign: { id: string; slug: string };
let other: { id: string; slug: string };
/** Pat signed both campaigns and confirmed; Quinn signed the first and has not confirmed yet. */
const pat = { email: `pat-${uniqueSuffix()}@example.org`, supporterId: '', otherSupporterId: '' };
const quinn = { email: `quinn-${uniqueSuffix()}@example.org`, supporterId: '' };
const tokens = { confirm: '', unsubscribe: '', privacy: '' };

const form = { 'content-type': 'application/x-www-form-urlencoded' };

/** Every page a token opens, with the request each one takes. */
const PAGES = {
  confirm: (token: string) => [
    { method: 'GET' as const, url: `/confirm/${token}` },
    { method: 'POST' as const, url: `/confirm/${token}` },
  ],
  unsubscribe: (token: string) => [
    { method: 'GET' as const, url: `/u/${token}` },
    { method: 'POST' as const, url: `/u/${token}`, headers: form, payload: 'List-Unsubscribe=One-Click' },
    { method: 'POST' as const, url: `/u/${token}`, headers: form, payload: 'scope=organisation' },
  ],
  privacy: (token: string) => [
    { method: 'GET' as const, url: `/privacy/${token}` },
    { method: 'POST' as const, url: `/privacy/${token}/download` },
    { method: 'POST' as const, url: `/privacy/${token}/erase` },
  ],
};
type Purpose = keyof typeof PAGES;

async function supporterId(campaignId: string, email: string): Promise<string> {
  const { rows } = await handle.pool.query<{ id: string }>(
    'SELECT s.id FROM supporters s JOIN contacts c ON c.id = s.contact_id WHERE s.campaign_id = $1 AND c.email = $2',
    [campaignId, email],
  );
  return rows[0]!.id;
}

/** Waits for the mail workers to finish, so a fingerprint reflects only what a request did. */
async function settled(): Promise<void> {
  await waitUntil(
    async () => (await handle.pool.query("SELECT 1 FROM transactional_messages WHERE status IN ('pending', 'sending')")).rowCount === 0,
    'every queued mail to be sent',
  );
}

async function expectRefused(requests: Array<{ method: 'GET' | 'POST'; url: string }>, status = 404): Promise<void> {
  await settled();
  const before = await fingerprint(handle);
  for (const request of requests) {
    const response = await stack.app.inject(request);
    const what = `${request.method} ${request.url}`;
    expect(response.headers['content-type'], what).toContain('text/html');
    expect(response.body, what).not.toContain(pat.email);
    // Fastify refuses a path parameter over 100 characters itself, before any token is read.
    if (request.url.split('/')[2]!.length > 100) {
      expect(response.statusCode, what).toBe(414);
      continue;
    }
    expect(response.statusCode, what).toBe(status);
    expect(response.body, what).toContain(status === 410 ? 'This link has expired' : 'This link does not work');
  }
  expect(await fingerprint(handle)).toEqual(before);
}

// The token's bytes: version, purpose, supporter id (16), campaign id (16), issued, expires, MAC (16).
const SUPPORTER = 2;
const CAMPAIGN = 18;
const MAC = 42;

function edit(token: string, change: (bytes: Buffer) => void): string {
  const bytes = Buffer.from(token, 'base64url');
  change(bytes);
  return bytes.toString('base64url');
}

const uuidBytes = (uuid: string) => Buffer.from(uuid.replace(/-/g, ''), 'hex');

function uuidAt(token: string, offset: number): string {
  const hex = Buffer.from(token, 'base64url').subarray(offset, offset + 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The signature (supporter id) and campaign a real link was made for. */
const targetOf = (token: string) => ({ supporterId: uuidAt(token, SUPPORTER), campaignId: uuidAt(token, CAMPAIGN) });

function sign(claims: Partial<LinkClaims> & Pick<LinkClaims, 'purpose' | 'supporterId' | 'campaignId'>, secret = stack.config.SECRET_KEY): string {
  return signLinkToken(secret, { issuedAt: new Date(), expiresAt: new Date(Date.now() + 3600_000), ...claims });
}

beforeAll(async () => {
  campaign = await createPublishedCampaign(stack.app, organiser);
  other = await createPublishedCampaign(stack.app, organiser);

  await signAndConfirm(stack, campaign.slug, { name: 'Pat Doe', email: pat.email });
  await signAndConfirm(stack, other.slug, { name: 'Pat Doe', email: pat.email });
  pat.supporterId = await supporterId(campaign.id, pat.email);
  pat.otherSupporterId = await supporterId(other.id, pat.email);
  const copy = await stack.sink.waitFor((m) => m.envelopeTo.includes(pat.email) && m.parsed.subject!.startsWith('The Responsibility'));
  tokens.unsubscribe = linkIn(copy.parsed.text!, '/u/').slice('/u/'.length);

  await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.slug}/signatures`, payload: { name: 'Quinn Roe', email: quinn.email, consent: true } });
  const confirmation = await stack.sink.waitFor((m) => m.envelopeTo.includes(quinn.email));
  tokens.confirm = linkIn(confirmation.parsed.text!, '/confirm/').slice('/confirm/'.length);
  quinn.supporterId = await supporterId(campaign.id, quinn.email);

  await stack.app.inject({ method: 'POST', url: '/privacy', headers: form, payload: `email=${encodeURIComponent(pat.email)}` });
  const dataMail = await stack.sink.waitFor((m) => m.envelopeTo.includes(pat.email) && m.parsed.subject!.startsWith('Your data'));
  tokens.privacy = linkIn(dataMail.parsed.text!, '/privacy/').slice('/privacy/'.length);
});

describe('a forged link', () => {
  it('opens nothing once tampered with anywhere, cut short, lengthened or re-encoded, on every page it leads to', async () => {
    const variants = (token: string): string[] => [
      ...[0, 1, SUPPORTER, SUPPORTER + 15, CAMPAIGN, CAMPAIGN + 15, 34, 38, 41, MAC, MAC + 15].map((i) =>
        edit(token, (bytes) => {
          bytes[i] = bytes[i]! ^ 0x01;
        }),
      ),
      token.slice(0, -1),
      token.slice(0, -4),
      token.slice(0, token.length / 2),
      `${token}A`,
      `${token}AAAA`,
      `${token}=`,
      token.toUpperCase(),
      token.toLowerCase(),
      Buffer.from(token, 'base64url').toString('base64'),
      Buffer.from(token, 'base64url').toString('hex'),
      encodeURIComponent(` ${token}`),
    ];
    for (const purpose of Object.keys(PAGES) as Purpose[]) {
      const forged = variants(tokens[purpose]).filter((variant) => variant !== tokens[purpose]);
      await expectRefused(forged.flatMap((variant) => PAGES[purpose](variant.replace(/\//g, '%2F'))));
    }
  });

  it('opens nothing when signed with another secret, though everything else in it is right', async () => {
    const elsewhere = 'another-installation-secret-of-32-characters';
    await expectRefused([
      ...PAGES.confirm(sign({ purpose: 'confirm', supporterId: quinn.supporterId, campaignId: campaign.id }, elsewhere)),
      ...PAGES.unsubscribe(sign({ purpose: 'unsubscribe', supporterId: pat.supporterId, campaignId: campaign.id, expiresAt: undefined }, elsewhere)),
      ...PAGES.privacy(sign({ purpose: 'privacy', supporterId: pat.supporterId, campaignId: campaign.id }, elsewhere)),
    ]);
  });
});

describe('a real link re-pointed at another person or campaign', () => {
  it('opens nothing when the person or the campaign inside it is swapped for another', async () => {
    const people = [quinn.supporterId, pat.supporterId, pat.otherSupporterId];
    const campaigns = [campaign.id, other.id];
    const swapped: string[] = [];
    for (const purpose of Object.keys(PAGES) as Purpose[]) {
      const token = tokens[purpose];
      const own = targetOf(token);
      for (const person of people.filter((id) => id !== own.supporterId)) {
        swapped.push(edit(token, (bytes) => uuidBytes(person).copy(bytes, SUPPORTER)));
      }
      const elsewhere = campaigns.find((id) => id !== own.campaignId)!;
      swapped.push(edit(token, (bytes) => uuidBytes(elsewhere).copy(bytes, CAMPAIGN)));
      // Both at once: another of the same person's signatures, with its own campaign.
      const sibling = own.supporterId === pat.supporterId ? { supporterId: pat.otherSupporterId, campaignId: other.id } : { supporterId: pat.supporterId, campaignId: campaign.id };
      swapped.push(edit(token, (bytes) => {
        uuidBytes(sibling.supporterId).copy(bytes, SUPPORTER);
        uuidBytes(sibling.campaignId).copy(bytes, CAMPAIGN);
      }));
    }
    await expectRefused(swapped.flatMap((token) => [...PAGES.confirm(token), ...PAGES.unsubscribe(token), ...PAGES.privacy(token)]));
  });

  it('opens nothing when properly signed but pairing a signature with a campaign it is not on', async () => {
    await expectRefused([
      ...PAGES.confirm(sign({ purpose: 'confirm', supporterId: quinn.supporterId, campaignId: other.id })),
      ...PAGES.unsubscribe(sign({ purpose: 'unsubscribe', supporterId: pat.supporterId, campaignId: other.id, expiresAt: undefined })),
      ...PAGES.privacy(sign({ purpose: 'privacy', supporterId: pat.otherSupporterId, campaignId: campaign.id })),
    ]);
  });
});

describe('a real link used for another purpose', () => {
  it('does only its own job: no unsubscribe link confirms or erases, no confirm link unsubscribes or erases', async () => {
    const purposes = Object.keys(PAGES) as Purpose[];
    await expectRefused(purposes.flatMap((page) => purposes.filter((token) => token !== page).flatMap((token) => PAGES[page](tokens[token]))));
  });
});

describe('an expired link', () => {
  it('shows that it expired, and downloads or erases nothing', async () => {
    const expired = sign({
      purpose: 'privacy',
      supporterId: pat.supporterId,
      campaignId: campaign.id,
      issuedAt: new Date(Date.now() - 48 * 3600_000),
      expiresAt: new Date(Date.now() - 1000),
    });
    await expectRefused(PAGES.privacy(expired), 410);
  });
});

describe('using a link again', () => {
  it('one-click unsubscribe is idempotent, and an older confirm link cannot undo it', async () => {
    const signature = targetOf(tokens.unsubscribe);
    const unsubscribedAt = async () =>
      (await handle.pool.query<{ at: Date | null }>('SELECT unsubscribed_at AS at FROM supporters WHERE id = $1', [signature.supporterId])).rows[0]!.at;
    const oneClick = { method: 'POST' as const, url: `/u/${tokens.unsubscribe}`, headers: form, payload: 'List-Unsubscribe=One-Click' };
    expect((await stack.app.inject(oneClick)).statusCode).toBe(200);
    const first = await unsubscribedAt();
    expect(first).not.toBeNull();
    await settled();
    const before = await fingerprint(handle);
    const again = await stack.app.inject(oneClick);
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('You are unsubscribed');
    expect(await fingerprint(handle)).toEqual(before);

    // A confirmation link from before the unsubscribe, still within its lifetime.
    const older = sign({ purpose: 'confirm', ...signature, issuedAt: new Date(Date.now() - 3600_000) });
    const confirmed = await stack.app.inject({ method: 'POST', url: `/confirm/${older}` });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('Already confirmed');
    expect(await unsubscribedAt()).toEqual(first);
  });

  it('after erasure, no link of the person opens anything any more', async () => {
    const erased = await stack.app.inject({ method: 'POST', url: `/privacy/${tokens.privacy}/erase` });
    expect(erased.statusCode).toBe(200);
    expect(erased.body).toContain('Your data is erased');
    await expectRefused([
      ...PAGES.privacy(tokens.privacy),
      ...PAGES.unsubscribe(tokens.unsubscribe),
      // Links for both of the person's signatures, freshly made, as a mail still on its way would carry.
      ...PAGES.confirm(sign({ purpose: 'confirm', supporterId: pat.supporterId, campaignId: campaign.id })),
      ...PAGES.unsubscribe(sign({ purpose: 'unsubscribe', supporterId: pat.otherSupporterId, campaignId: other.id, expiresAt: undefined })),
      ...PAGES.privacy(sign({ purpose: 'privacy', supporterId: pat.supporterId, campaignId: campaign.id })),
    ]);
  });
});
