/**
 * "Send a test to yourself": a draft broadcast merged for the sample supporter, to the signed-in
 * user's own address, as one-to-one mail. It goes through the one-to-one mail ledger rather than
 * straight to the transport from the request: the row is written first, so the test is sent (and
 * retried on a 4xx) by the workers like any mail and its SMTP answer is kept, the page does not wait
 * for the SMTP server, and an address suppressed everywhere is not mailed. The row carries only
 * ids: the worker renders the broadcast as it is when the test is sent.
 */
import { randomUUID } from 'node:crypto';
import type { Executor } from '../db/client.js';
import { transactionalMessages } from '../db/schema.js';
import { deterministicMessageId } from '../mail/message-id.js';
import type { OutgoingMail } from '../mail/outgoing-mail.js';
import { findSuppression } from '../suppressions/suppressions.js';
import { renderPreview, SAMPLE_SUPPORTER } from '../templates/preview.js';
import { LetterRenderError } from '../templates/render-template.js';
import { TemplateError } from '../errors.js';
import { frameBroadcastMail } from './broadcast-mail.js';
import { findBroadcastWithCampaign } from './broadcast-queries.js';

/** What a test's subject starts with, so nobody takes it for the real thing. */
export const TEST_SUBJECT_PREFIX = 'Test: ';

/** Writes the test to the ledger; returns the row's id, to queue it. Every press is one more test. */
export async function recordBroadcastTest(db: Executor, test: { organiserId: string; broadcastId: string; recipient: string }): Promise<string> {
  const [row] = await db
    .insert(transactionalMessages)
    .values({
      organiserId: test.organiserId,
      recipient: test.recipient,
      kind: 'broadcast_test',
      aboutId: test.broadcastId,
      notificationKey: `broadcast_test:${test.broadcastId}:${randomUUID()}`,
    })
    .returning({ id: transactionalMessages.id });
  return row!.id;
}

export type PreparedTest = { mail: OutgoingMail } | { skipped: string } | { failed: string };

export async function prepareBroadcastTest(
  db: Executor,
  message: { id: string; recipient: string | null; aboutId: string | null },
  options: { mailFrom: string },
): Promise<PreparedTest> {
  if (!message.recipient || !message.aboutId) return { skipped: 'no recipient' };
  const found = await findBroadcastWithCampaign(db, message.aboutId);
  if (!found || found.campaign.deletedAt) return { skipped: 'the broadcast no longer exists' };
  const suppression = await findSuppression(db, message.recipient, null);
  if (suppression) return { skipped: `suppressed (${suppression.reason})` };
  const { broadcast, campaign } = found;
  try {
    const letter = renderPreview(broadcast, { title: campaign.title, targetName: campaign.targetName }, SAMPLE_SUPPORTER);
    return {
      mail: frameBroadcastMail({ ...letter, subject: `${TEST_SUBJECT_PREFIX}${letter.subject}` }, campaign, {
        mailFrom: options.mailFrom,
        to: { name: '', address: message.recipient },
        messageId: deterministicMessageId('broadcast-test', message.id, options.mailFrom),
        footer: {
          text: `A test of a broadcast to the supporters of “${campaign.title}”, merged for ${SAMPLE_SUPPORTER.name}, a sample supporter. Each supporter’s copy ends with their own unsubscribe link here.`,
        },
      }),
    };
  } catch (error) {
    // Validated when saved; only a render that fails for the sample's data gets here, and it would again.
    if (error instanceof TemplateError || error instanceof LetterRenderError) return { failed: error.message };
    throw error;
  }
}
