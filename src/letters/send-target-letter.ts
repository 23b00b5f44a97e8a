/**
 * Sends the bundled letter to the target: the letter on the organisation's letterhead (see
 * src/letters/compose-target-letter.ts), the signatory list attached as PDF and CSV, with the
 * campaign's reply address as Reply-To.
 */
import { UnrecoverableError } from 'bullmq';
import type { Database } from '../db/client.js';
import { campaigns } from '../db/schema.js';
import type { ReturnPaths } from '../mail/return-path.js';
import { composeTargetLetter, type ComposeTargetLetterOptions } from './compose-target-letter.js';
import { recordTargetLetterContent } from './sent-letter-queries.js';
import { gatherTargetLetter } from './target-letter-draft.js';
import { claimTargetLetter, listUnsentTargetLetters, recordTargetLetterOutcome } from './target-letter-queries.js';
import type { MailTransport } from '../mail/mail-transport.js';
import { outcomeOfFailedSend, type RetrySchedule } from '../mail/delivery-outcome.js';
import type { JobData, Queues } from '../queue/queues.js';
import { targetLetterJobId, targetLetterRetryJobId } from '../queue/queues.js';
import { eq } from 'drizzle-orm';

export function makeSendTargetLetter(deps: ComposeTargetLetterOptions & {
  db: Database;
  transport: MailTransport;
  /** The envelope sender of each letter: its row's return path. */
  returnPaths: ReturnPaths;
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

    const { signatories, organisation } = await gatherTargetLetter(deps.db, campaign);
    const { mail, pdf } = await composeTargetLetter(letter, campaign, organisation, signatories, deps);
    // Recorded before sending: the organiser sees exactly what went (or was last tried).
    await recordTargetLetterContent(deps.db, letter.id, {
      toName: mail.to.name,
      toAddress: mail.to.address,
      replyTo: mail.replyTo!.address,
      subject: mail.subject,
      pdf,
      signatories: signatories.length,
    });

    try {
      const { response } = await deps.transport.send(mail, deps.returnPaths.of({ ledger: 'target-letter', id: letter.id }));
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
