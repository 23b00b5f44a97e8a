/**
 * The organiser's owners are told, by mail and once each: a reply that was trusted and forwarded, a
 * reply held for them (with its reason and where to approve it), a broadcast that completed, and
 * one that paused itself (with its counts).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import {
  createPublishedCampaign,
  newOrganiser,
  openTestDatabase,
  startStack,
  uniqueSuffix,
  waitForValue,
  type Stack,
  type TestOrganiser,
} from '../support/harness.js';
import { deliverRaw, startTestInboundListener, type TestInboundListener } from '../support/inbound-listener.js';
import { seedSupporters } from '../support/seed.js';

const FIXTURE = readFileSync(new URL('../fixtures/government-reply-2014.eml', import.meta.url), 'utf8');
const OFFICIAL = 'conflict.department@fco.example.gov.uk';

let stack: Stack;
let handle: DatabaseHandle;
let listener: TestInboundListener;
let organiser: TestOrganiser;
let owner: string;
let secondOwner: string;
let editor: string;

beforeAll(async () => {
  stack = await startStack({
    INBOUND_REQUIRE_DMARC: 'false',
    INBOUND_SMTP_PORT: '0',
    ERROR_BUDGET: '0.5',
    ERROR_BUDGET_MIN_ATTEMPTS: '10',
    BROADCAST_PARALLELISM: '1',
  });
  handle = openTestDatabase();
  listener = await startTestInboundListener(stack.config, handle.db);
  organiser = await newOrganiser(handle, 'UNA-UK');
  owner = (await handle.pool.query<{ email: string }>('SELECT email FROM organisers WHERE id = $1', [organiser.id])).rows[0]!.email;
  // Owners are told; an editor is not.
  [secondOwner, editor] = [`owner-${uniqueSuffix()}@una.org.example`, `editor-${uniqueSuffix()}@una.org.example`];
  await handle.pool.query("INSERT INTO users (organiser_id, email, role) VALUES ($1, $2, 'owner'), ($1, $3, 'editor')", [organiser.id, secondOwner, editor]);
});
afterAll(async () => {
  await listener.close();
  await stack.close();
  await handle.close();
});

const toOwner = () => stack.sink.received.filter((m) => m.envelopeTo.includes(owner));

async function campaignWith(policy: { mode: 'auto' | 'approve'; allowedSenders: string[] }) {
  const campaign = await createPublishedCampaign(stack.app, organiser, { replyPolicy: policy });
  const details = (await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}`, headers: organiser.auth })).json();
  return { ...campaign, replyAddress: details.replyAddress as string };
}

async function noMailPending() {
  await waitForValue(
    async () => (await handle.pool.query("SELECT count(*)::int AS n FROM transactional_messages WHERE status IN ('pending', 'sending')")).rows[0].n,
    (n) => n === 0,
    'the ledger to have no mail left to send',
  );
}

describe('organiser notifications', () => {
  it('tell the owners a trusted reply was forwarded, and its forward completed, once each', async () => {
    const campaign = await campaignWith({ mode: 'auto', allowedSenders: ['fco.example.gov.uk'] });
    await seedSupporters(handle, campaign.id, 5, uniqueSuffix());
    await deliverRaw(listener.port, FIXTURE, campaign.replyAddress, OFFICIAL);

    const forwarded = await stack.sink.waitFor((m) => m.envelopeTo.includes(owner) && m.parsed.subject === `A reply to “${'The Responsibility to Protect in Syria'}” has been forwarded to your supporters`);
    expect(forwarded.parsed.text).toContain('Conflict Department replied to “The Responsibility to Protect in Syria”');
    expect(forwarded.parsed.text).toContain('From: Conflict Department <conflict.department@fco.example.gov.uk>');
    expect(forwarded.parsed.text).toContain('Dated: 17 June 2014');
    expect(forwarded.parsed.text).toContain(`See the reply: https://letters.example.org/app/campaigns/${campaign.id}/replies`);
    expect(forwarded.header('message-id')).toMatch(/^<reply-arrived\.[0-9a-f-]{36}@example\.org>$/);

    await stack.sink.waitFor((m) => m.envelopeTo.includes(secondOwner) && m.parsed.subject === forwarded.parsed.subject);

    const completed = await stack.sink.waitFor((m) => m.envelopeTo.includes(owner) && m.parsed.subject === 'The forwarded reply for “The Responsibility to Protect in Syria” has been sent');
    expect(completed.parsed.text).toContain('Sent: 5');

    // The same reply again is a duplicate: nobody is told twice.
    await deliverRaw(listener.port, FIXTURE, campaign.replyAddress, OFFICIAL);
    await waitForValue(
      async () => (await handle.pool.query("SELECT count(*)::int AS n FROM inbound_messages WHERE status = 'received'")).rows[0].n,
      (n) => n === 0,
      'the duplicate to be processed',
    );
    await noMailPending();
    const about = (subject: string) => toOwner().filter((m) => m.parsed.subject?.includes(subject) && m.parsed.text?.includes(campaign.id));
    expect(about('has been forwarded')).toHaveLength(1);
    expect(about('has been sent')).toHaveLength(1);
    expect(stack.sink.received.filter((m) => m.envelopeTo.includes(editor))).toEqual([]);
  });

  it('tell the owners a held reply waits for them, with its reason and where to approve it', async () => {
    const campaign = await campaignWith({ mode: 'auto', allowedSenders: ['fco.example.gov.uk'] });
    const spoof = FIXTURE.replace(/^From: .*$/m, 'From: Minister <minister@fco-example.evil>').replace(/^Message-ID: .*$/m, `Message-ID: <spoof-${uniqueSuffix()}@x>`);
    await deliverRaw(listener.port, spoof, campaign.replyAddress, 'minister@fco-example.evil');
    const held = await stack.sink.waitFor((m) => m.envelopeTo.includes(owner) && m.parsed.subject === 'A reply to “The Responsibility to Protect in Syria” is waiting for you');
    expect(held.parsed.text).toContain('It has not gone to your supporters');
    expect(held.parsed.text).toContain('Why it waits: sender minister@fco-example.evil is not an allowed official sender.');
    expect(held.parsed.text).toContain(`Approve or reject the reply: https://letters.example.org/app/campaigns/${campaign.id}/replies`);
  });

  it('tell the owners a broadcast paused itself, with its counts and reason', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    await seedSupporters(handle, campaign.id, 12, uniqueSuffix());
    // A suspended sending account: the broadcast's messages are refused; the notification after them is not.
    stack.sink.refuseNext(12, 554, '5.7.1 Sending account suspended');
    const created = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaign.id}/broadcasts`,
      headers: organiser.auth,
      payload: { kind: 'update', subject: 'News', body: 'Dear {{ supporter.first_name }}, news.' },
    });
    expect(created.statusCode, created.body).toBe(201);
    await stack.app.inject({ method: 'POST', url: `/api/v1/broadcasts/${created.json().id}/start`, headers: organiser.auth });
    const paused = await stack.sink.waitFor((m) => m.envelopeTo.includes(owner) && m.parsed.subject!.startsWith('Sending paused'));
    expect(paused.parsed.subject).toBe('Sending paused: your update to supporters for “The Responsibility to Protect in Syria”');
    expect(paused.parsed.text).toContain('Why: paused itself: 12 of the last 12 attempts failed (last: 554 5.7.1 Sending account suspended');
    expect(paused.parsed.text).toContain('Not delivered (failed or bounced): 12');
    expect(paused.parsed.text).toContain('Sent: 0');
  });
});
