/**
 * Sends the bundled letter to the target: a covering letter, the campaign letter, and the signatory
 * list attached as CSV and PDF, with the campaign's reply address as Reply-To.
 */
import { UnrecoverableError } from 'bullmq';
import { replyAddressOf } from '../campaigns/campaign-view.js';
import type { Database } from '../db/client.js';
import { campaigns } from '../db/schema.js';
import { buildSignatoryPdf, type Signatory } from './signatory-pdf.js';
import { claimTargetLetter, listUnsentTargetLetters, recordTargetLetterOutcome, signatoryPage } from './target-letter-queries.js';
import type { MailTransport } from '../mail/mail-transport.js';
import { deterministicMessageId } from '../mail/message-id.js';
import { outcomeOfFailedSend, type RetrySchedule } from '../mail/delivery-outcome.js';
import type { JobData, Queues } from '../queue/queues.js';
import { targetLetterJobId, targetLetterRetryJobId } from '../queue/queues.js';
import { csvRow } from '../supporters/csv.js';
import { formatLetterDate, mergeDataFor } from '../templates/merge-fields.js';
import { renderLetter } from '../templates/render-template.js';
import { escapeHtml } from '../web/html.js';
import { eq } from 'drizzle-orm';

const PAGE = 5_000;

async function allSignatories(db: Database, campaignId: string): Promise<Signatory[]> {
  const all: Signatory[] = [];
  let after: { createdAt: string; id: string } | undefined;
  for (;;) {
    const rows = await signatoryPage(db, campaignId, after, PAGE);
    for (const row of rows) all.push({ name: row.name, postcode: row.postcode, signedAt: row.createdAt });
    const last = rows.at(-1);
    if (!last || rows.length < PAGE) return all;
    after = { createdAt: last.cursorCreatedAt, id: last.id };
  }
}

export function makeSendTargetLetter(deps: {
  db: Database;
  transport: MailTransport;
  mailFrom: string;
  inboundDomain: string;
  /** This process's id in worker_processes: its claim carries it (see claim-recovery.ts). */
  claimant: string;
  schedule: RetrySchedule;
  /** Where a bundle waiting for its retry is queued again, delayed. */
  queues: Pick<Queues, 'add'>;
}) {
  return async ({ letterId }: JobData<'target-letter'>) => {
    const letter = await claimTargetLetter(deps.db, deps.claimant, letterId);
    if (!letter) return { outcome: 'nothing to send' };
    const [campaign] = await deps.db.select().from(campaigns).where(eq(campaigns.id, letter.campaignId));
    if (!campaign) return { outcome: 'campaign gone' };

    const signatories = await allSignatories(deps.db, campaign.id);
    const rendered = renderLetter(
      { subject: campaign.letterSubject, body: campaign.letterBody },
      mergeDataFor({
        supporterName: 'The undersigned',
        postcode: null,
        campaignTitle: campaign.title,
        targetName: campaign.targetName,
        signedAt: new Date(),
        unsubscribeUrl: '',
      }),
    );
    const covering = [
      `Dear ${campaign.targetName},`,
      '',
      `Please find below our letter “${campaign.title}”, signed by ${signatories.length} supporters of ${campaign.senderName}.`,
      'The list of signatories is attached (CSV and PDF). A reply to this email reaches the campaign.',
      '',
      '----',
      '',
      rendered.text,
    ].join('\n');
    const csv = csvRow(['name', 'postcode', 'signed_at']) + signatories.map((s) => csvRow([s.name, s.postcode, s.signedAt.toISOString()])).join('');
    const pdf = await buildSignatoryPdf({
      title: campaign.title,
      targetName: campaign.targetName,
      letterText: rendered.text,
      signatories,
      formatDate: formatLetterDate,
    });

    try {
      const { response } = await deps.transport.send({
        from: { name: campaign.senderName, address: deps.mailFrom },
        to: { name: campaign.targetName, address: campaign.targetEmail },
        replyTo: { name: campaign.senderName, address: replyAddressOf(campaign.replyToken, deps.inboundDomain) },
        subject: rendered.subject,
        messageId: deterministicMessageId('target-letter', letter.id, deps.mailFrom),
        text: covering,
        html: `<pre style="font-family:Georgia,serif;white-space:pre-wrap">${escapeHtml(covering)}</pre>`,
        attachments: [
          { filename: 'signatories.csv', content: csv, contentType: 'text/csv; charset=utf-8' },
          { filename: 'letter-and-signatories.pdf', content: pdf, contentType: 'application/pdf' },
        ],
      });
      await recordTargetLetterOutcome(deps.db, deps.claimant, letter.id, { status: 'sent', response }, signatories.length);
      return { outcome: 'sent', signatories: signatories.length };
    } catch (error) {
      const failed = outcomeOfFailedSend(error, letter.attempts, deps.schedule);
      if (failed.status !== 'retry') {
        // A refused target address says nothing about any supporter's: nothing is suppressed.
        await recordTargetLetterOutcome(deps.db, deps.claimant, letter.id, { status: 'failed', response: failed.response }, signatories.length);
        throw new UnrecoverableError(`given up after ${letter.attempts} attempt(s): ${failed.response}`);
      }
      await recordTargetLetterOutcome(deps.db, deps.claimant, letter.id, { status: 'pending', response: failed.response, retryAt: failed.retryAt }, signatories.length);
      const delay = Math.max(0, failed.retryAt.getTime() - Date.now());
      await deps.queues.add('target-letter', 'send', { letterId }, targetLetterRetryJobId(letter.id, letter.attempts), { delay });
      return { outcome: 'will retry', response: failed.response, retryAt: failed.retryAt.toISOString() };
    }
  };
}

export async function requeueUnsentTargetLetters(db: Database, queues: Queues, graceSeconds: number): Promise<number> {
  const ids = await listUnsentTargetLetters(db, graceSeconds);
  for (const letterId of ids) await queues.requeue('target-letter', 'send', { letterId }, targetLetterJobId(letterId));
  return ids.length;
}
