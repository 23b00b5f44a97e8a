/**
 * One identity for trust: a reply is trusted only for the From domain DMARC evaluated, and only
 * when the raw From header is one plain mailbox. DNS is a zone inside this process (fake-dns.ts),
 * the keys are generated here, and DKIM, SPF and DMARC are mailauth's real answers.
 */
import { authenticate } from 'mailauth';
import PostalMime from 'postal-mime';
import fc from 'fast-check';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { inboundMessages, replies } from '../../src/db/schema.js';
import { makeProcessInbound } from '../../src/inbound/process-inbound.js';
import { generateDkimKey, installFakeDns, txt, type DkimKey } from '../support/fake-dns.js';
import { createPublishedCampaign, uniqueSuffix, waitForValue } from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';
import { deliverRaw } from '../support/inbound-listener.js';
import { seedSupporters } from '../support/seed.js';

const OFFICIAL_DOMAIN = 'fco.example.gov.uk';
const OFFICIAL = `minister@${OFFICIAL_DOMAIN}`;
const OFFICIAL_IP = '192.0.2.10';
const ATTACKER_IP = '198.51.100.7';
// Domains the attacker registered and signs for: a plain one, an IDN lookalike of the official's
// organisational domain (exämple.gov.uk) and a homoglyph (exаmple.gov.uk, with a Cyrillic а).
const EVIL = 'evil.example';
const IDN = 'xn--exmple-cua.gov.uk';
const HOMOGLYPH = 'xn--exmple-4nf.gov.uk';

const official = generateDkimKey(OFFICIAL_DOMAIN);
const attackerKeys = [generateDkimKey(EVIL), generateDkimKey(IDN), generateDkimKey(HOMOGLYPH)];
const restoreDns = installFakeDns({
  ...official.zone,
  ...Object.assign({}, ...attackerKeys.map((key) => key.zone)),
  [`_dmarc.${OFFICIAL_DOMAIN}`]: { TXT: [txt('v=DMARC1; p=reject')] },
  [OFFICIAL_DOMAIN]: { TXT: [txt(`v=spf1 ip4:${OFFICIAL_IP} -all`)] },
  ...Object.fromEntries(
    [EVIL, IDN, HOMOGLYPH].flatMap((domain) => [
      [`_dmarc.${domain}`, { TXT: [txt('v=DMARC1; p=none')] }],
      [domain, { TXT: [txt(`v=spf1 ip4:${ATTACKER_IP} -all`)] }],
    ]),
  ),
});

/** The campaigns' allow-list, read independently of the service's isAllowedSender. */
function isOfficialDomain(domain: string | undefined | false): boolean {
  const lower = (domain || '').toLowerCase();
  return lower === OFFICIAL_DOMAIN || lower.endsWith(`.${OFFICIAL_DOMAIN}`);
}

// Registered before the stack's hooks, so it runs after the stack (whose workers look up DNS) has closed.
afterAll(() => restoreDns());
const { stack, handle, organiser, listener } = useTestStack({
  env: { INBOUND_REQUIRE_DMARC: 'true', INBOUND_SMTP_PORT: '0', SWEEP_INTERVAL_SECONDS: '1' },
  organiser: 'UNA-UK',
  inboundListener: true,
});

async function campaignWith(mode: 'auto' | 'approve') {
  const campaign = await createPublishedCampaign(stack.app, organiser, { replyPolicy: { mode, allowedSenders: [OFFICIAL_DOMAIN] } });
  const details = (await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}`, headers: organiser.auth })).json();
  return { ...campaign, replyAddress: details.replyAddress as string };
}

const REPLY_TEXT = 'The Government will act on every point of your letter.';

function message(fromLines: string[], to: string, id: string, body = REPLY_TEXT): string {
  return [
    ...fromLines,
    `To: ${to}`,
    'Subject: Re: your campaign letter',
    'Date: Tue, 17 Jun 2014 10:00:00 +0100',
    `Message-ID: <${id}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');
}

const deliver = (raw: string, to: string, from: string) => deliverRaw(listener.port, raw, to, from);

async function repliesOf(campaignId: string) {
  return (await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaignId}/replies`, headers: organiser.auth })).json().items;
}

const b64 = (text: string) => `=?utf-8?B?${Buffer.from(text).toString('base64')}?=`;

describe('a forged official reply', () => {
  it('is held, not forwarded, when its From header makes postal-mime read an allowed address while DMARC passes for the attacker', async () => {
    const campaign = await campaignWith('auto');
    await seedSupporters(handle, campaign.id, 3, uniqueSuffix());
    const raw = await attackerKeys[0]!.sign(message([`From: ${b64(`<${OFFICIAL}>`)}, attacker@${EVIL}`], campaign.replyAddress, `forged-${uniqueSuffix()}@${EVIL}`));

    // The attack is real: the message parser shows the official, DMARC passes for the attacker's domain.
    expect((await PostalMime.parse(raw)).from?.address).toBe(OFFICIAL);
    const auth = await authenticate(raw, { ip: '127.0.0.1', sender: `attacker@${EVIL}`, mta: 'replies.example.org', disableArc: true, disableBimi: true });
    expect(auth.dmarc && auth.dmarc.status?.result).toBe('pass');
    expect(auth.dkim?.headerFrom).toEqual([`attacker@${EVIL}`]);

    expect((await deliver(raw, campaign.replyAddress, `attacker@${EVIL}`)).response).toMatch(/^250 /);
    const [reply] = await waitForValue(() => repliesOf(campaign.id), (items) => items.length === 1, 'the forged reply to be recorded');
    expect(reply).toMatchObject({ status: 'held', trusted: false, broadcastId: null, from: { address: `attacker@${EVIL}` } });
    expect(reply.reason).toContain('encoded word');
    expect(reply.authentication).toMatchObject({ dmarc: 'pass', headerFrom: [`attacker@${EVIL}`] });
    const broadcasts = await handle.pool.query('SELECT count(*)::int AS n FROM broadcasts WHERE campaign_id = $1', [campaign.id]);
    expect(broadcasts.rows[0].n).toBe(0);
    const page = await stack.app.inject({ method: 'GET', url: `/c/${campaign.slug}` });
    expect(page.body).not.toContain(REPLY_TEXT);
    expect(page.body).not.toContain('The official reply');
  });

  it('is trusted and forwarded when the official signs a plain From (the same DNS and keys)', async () => {
    const campaign = await campaignWith('auto');
    await seedSupporters(handle, campaign.id, 2, uniqueSuffix());
    const raw = await official.sign(message([`From: Minister of State <${OFFICIAL}>`], campaign.replyAddress, `genuine-${uniqueSuffix()}@${OFFICIAL_DOMAIN}`));
    await deliver(raw, campaign.replyAddress, OFFICIAL);
    const [reply] = await waitForValue(() => repliesOf(campaign.id), (items) => items[0]?.status === 'forwarded', 'the genuine reply to be forwarded');
    expect(reply).toMatchObject({ trusted: true, from: { address: OFFICIAL, name: 'Minister of State' } });
    expect(reply.authentication).toMatchObject({ dkim: ['pass'], dmarc: 'pass', headerFrom: [OFFICIAL] });
  });
});

describe('the reply address', () => {
  it('is matched whatever the letter case of Reply+ and the domain, over SMTP', async () => {
    const campaign = await campaignWith('approve');
    const [local, domain] = campaign.replyAddress.split('@') as [string, string];
    const shouted = `${local.replace(/^reply/, 'Reply').toUpperCase()}@${domain.toUpperCase()}`;
    const mixed = `${local.replace(/^reply/, 'Reply')}@${domain}`;
    for (const [index, to] of [shouted, mixed].entries()) {
      const raw = await official.sign(message([`From: ${OFFICIAL}`], to, `case-${index}-${uniqueSuffix()}@${OFFICIAL_DOMAIN}`));
      expect((await deliver(raw, to, OFFICIAL)).response).toMatch(/^250 /);
    }
    const items = await waitForValue(() => repliesOf(campaign.id), (list) => list.length === 2, 'both replies to be recorded');
    expect(items.map((r: { status: string; trusted: boolean }) => [r.status, r.trusted])).toEqual([
      ['awaiting_approval', true],
      ['awaiting_approval', true],
    ]);
  });
});

// ---- the property: trusted ⇒ the DMARC-aligned From domain is allowed -------------------------

const officialAddresses = [OFFICIAL, 'Minister@FCO.Example.Gov.UK', `private.office@${OFFICIAL_DOMAIN}`, `press@news.${OFFICIAL_DOMAIN}`];
const attackerAddresses = [`attacker@${EVIL}`, `MINISTER@${EVIL.toUpperCase()}`, `minister@${OFFICIAL_DOMAIN}.${EVIL}`, `minister@fco.${IDN}`, 'minister@fco.exämple.gov.uk', `minister@fco.${HOMOGLYPH}`, 'Minister@FCO.exаmple.gov.uk'];
const anyAddress = fc.constantFrom(...officialAddresses, ...attackerAddresses);
const names = fc.constantFrom('Minister', 'The Rt Hon Minister', 'Ministère des Affaires', 'J. Smith', 'Smith, John', OFFICIAL, `<${OFFICIAL}>`, `${OFFICIAL},`, '');

const qEncode = (text: string) => [...Buffer.from(text)].map((byte) => (/[A-Za-z0-9]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
const encodedWord = (text: string) =>
  fc
    .tuple(fc.constantFrom('utf-8', 'UTF-8', 'iso-8859-1', 'us-ascii', 'utf-8*en'), fc.constantFrom('B', 'b', 'Q', 'q'))
    .map(([charset, encoding]) => `=?${charset}?${encoding}?${/b/i.test(encoding) ? Buffer.from(text).toString('base64') : qEncode(text)}?=`);

/** A mailbox or a piece of one, in forms that different parsers read differently. */
const mailbox: fc.Arbitrary<string> = fc.oneof(
  anyAddress,
  anyAddress.map((a) => `<${a}>`),
  fc.tuple(names, anyAddress).map(([n, a]) => `${n} <${a}>`),
  fc.tuple(names, anyAddress).map(([n, a]) => `"${n}" <${a}>`),
  fc.tuple(names, anyAddress).chain(([n, a]) => encodedWord(n).map((w) => `${w} <${a}>`)),
  fc.tuple(anyAddress, anyAddress).chain(([decoy, a]) => encodedWord(`<${decoy}>`).map((w) => `${w} ${a}`)),
  fc.tuple(anyAddress, anyAddress).chain(([decoy, a]) => encodedWord(`<${decoy}>`).map((w) => `${a} ${w}`)),
  anyAddress.chain((decoy) => encodedWord(`<${decoy}>`)),
  anyAddress.chain((decoy) => encodedWord(decoy)),
  fc.tuple(anyAddress, anyAddress).chain(([decoy, a]) => encodedWord(`${decoy}, `).map((w) => `${w}<${a}>`)),
  anyAddress.chain((decoy) => encodedWord(decoy).map((w) => `${w}@${EVIL}`)),
  fc.tuple(anyAddress, anyAddress).map(([decoy, a]) => `(${decoy}) ${a}`),
  fc.tuple(anyAddress, anyAddress).map(([decoy, a]) => `${a} (${decoy})`),
  fc.tuple(anyAddress, anyAddress).map(([decoy, a]) => `(<${decoy}>) <${a}>`),
  fc.tuple(anyAddress, anyAddress).chain(([decoy, a]) => encodedWord(`<${decoy}>`).map((w) => `${w} (${a})`)),
  anyAddress.map((decoy) => `"${decoy}"@${EVIL}`),
  anyAddress.map((decoy) => `"${decoy.split('@')[0]}"@${decoy.split('@')[1]}`),
  fc.tuple(anyAddress, anyAddress).map(([decoy, a]) => `"<${decoy}>" <${a}>`),
  fc.tuple(anyAddress, anyAddress).map(([decoy, a]) => `"a\\" <${decoy}>" <${a}>`),
  fc.tuple(anyAddress, anyAddress).map(([decoy, a]) => `<@${decoy.split('@')[1]}:${a}>`),
  fc.tuple(anyAddress, anyAddress).chain(([decoy, a]) => encodedWord('>').map((w) => `<${decoy}${w} <${a}>`)),
);
const group = fc.tuple(names, fc.array(mailbox, { minLength: 0, maxLength: 2 })).map(([n, members]) => `${n || 'Officials'}: ${members.join(', ')};`);
const fromValue = fc.oneof(
  { arbitrary: mailbox, weight: 6 },
  { arbitrary: group, weight: 1 },
  { arbitrary: fc.array(fc.oneof(mailbox, group), { minLength: 2, maxLength: 3 }).map((parts) => parts.join(', ')), weight: 2 },
);
/** Folding (CRLF + space) at a random space, as long headers are. */
const folded = fc.tuple(fromValue, fc.nat(), fc.boolean()).map(([value, at, fold]) => {
  const spaces = [...value.matchAll(/ /g)].map((m) => m.index);
  if (!fold || spaces.length === 0) return value;
  const i = spaces[at % spaces.length]!;
  return `${value.slice(0, i)}\r\n${value.slice(i)}`;
});
const crafted = fc.record({
  froms: fc.array(folded, { minLength: 1, maxLength: 2 }),
  signer: fc.constantFrom<DkimKey | undefined>(undefined, official, ...attackerKeys),
});
/** What an official's own mail server sends: one plain From, signed by the official domain. */
const plainOfficial = fc.record({
  froms: fc.tuple(fc.constantFrom(...officialAddresses.slice(0, 3)), fc.constantFrom('', 'Minister ', '"Smith, John" ')).map(([a, n]) => [n ? `${n}<${a}>` : a]),
  signer: fc.constant<DkimKey | undefined>(official),
});
const inboundCase = fc.record({
  mail: fc.oneof({ arbitrary: crafted, weight: 4 }, { arbitrary: plainOfficial, weight: 1 }),
  via: fc.constantFrom<'smtp' | 'http'>('smtp', 'http'),
  ip: fc.constantFrom<string | null>(ATTACKER_IP, ATTACKER_IP, OFFICIAL_IP, null),
  envelopeFrom: fc.constantFrom(`attacker@${EVIL}`, OFFICIAL, `bounce@${IDN}`),
  requireDmarc: fc.boolean(),
});

describe('every From header built to make parsers disagree', () => {
  it('gets a reply trusted only when the From domain DMARC evaluated is allowed (and aligned, when DMARC is required)', async () => {
    const campaign = await campaignWith('approve');
    // The function the inbound worker runs, with the installation's two DMARC policies.
    const processes = {
      true: makeProcessInbound({ db: handle.db, jobs: { plan: async () => undefined }, config: { ...stack.config, INBOUND_DOMAIN: 'replies.example.org', INBOUND_REQUIRE_DMARC: true } }),
      false: makeProcessInbound({ db: handle.db, jobs: { plan: async () => undefined }, config: { ...stack.config, INBOUND_DOMAIN: 'replies.example.org', INBOUND_REQUIRE_DMARC: false } }),
    };
    const tally = { runs: 0, trusted: 0, held: 0 };
    await fc.assert(
      fc.asyncProperty(inboundCase, async ({ mail, via, ip, envelopeFrom, requireDmarc }) => {
        tally.runs += 1;
        const unsigned = message(
          mail.froms.map((value) => `From: ${value}`),
          campaign.replyAddress,
          `prop-${tally.runs}-${uniqueSuffix()}@test.example`,
        );
        const raw = mail.signer ? await mail.signer.sign(unsigned) : unsigned;
        const remoteAddress = via === 'smtp' ? (ip ?? ATTACKER_IP) : ip;
        const [row] = await handle.db
          .insert(inboundMessages)
          .values({ via, envelopeFrom, envelopeTo: [campaign.replyAddress], remoteAddress, helo: via === 'smtp' ? 'mail.example' : null, raw: Buffer.from(raw) })
          .returning({ id: inboundMessages.id });
        await processes[`${requireDmarc}`]({ inboundId: row!.id });
        const [reply] = await handle.db.select().from(replies).where(eq(replies.inboundMessageId, row!.id));
        expect(reply, 'every message to the reply address is recorded').toBeDefined();
        if (!reply!.trusted) {
          tally.held += 1;
          expect(reply!.reason).toBeTruthy();
          return;
        }
        tally.trusted += 1;
        // The oracle: mailauth run here, on the same bytes and DNS, independently of the service.
        const auth = await authenticate(raw, { ...(remoteAddress ? { ip: remoteAddress } : {}), sender: envelopeFrom, mta: 'replies.example.org', disableArc: true, disableBimi: true });
        const headerFrom = auth.dkim?.headerFrom ?? [];
        expect(headerFrom).toHaveLength(1);
        const dmarcFrom = headerFrom[0]!.toLowerCase();
        expect(isOfficialDomain(dmarcFrom.slice(dmarcFrom.indexOf('@') + 1))).toBe(true);
        expect(reply!.fromAddress).toBe(dmarcFrom);
        // What supporters would see as the sender is what DMARC evaluated.
        expect((await PostalMime.parse(raw)).from?.address?.toLowerCase()).toBe(dmarcFrom);
        if (requireDmarc) {
          // DMARC passed for that allowed domain: a DKIM signature or SPF pass aligned with it.
          const dmarc = auth.dmarc || undefined;
          expect(dmarc?.status?.result).toBe('pass');
          const alignment = dmarc?.alignment as { dkim?: { result?: string | false }; spf?: { result?: string | false } } | undefined;
          expect(alignment?.dkim?.result || alignment?.spf?.result).toBeTruthy();
        }
      }),
      { numRuns: 500 },
    );
    expect(tally.runs).toBeGreaterThanOrEqual(500);
    // Not vacuous: plain official mail is trusted, and most crafted headers are held.
    expect(tally.trusted).toBeGreaterThan(20);
    expect(tally.held).toBeGreaterThan(200);
    console.info(`From-header property: ${tally.runs} runs, ${tally.trusted} trusted, ${tally.held} held`);
  }, 600_000);
});
