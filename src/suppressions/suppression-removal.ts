/**
 * Lifting a suppression, by an organiser, with a reason, recorded. What may be lifted:
 *
 * - a suppression in the organiser's own scope (a complaint or bounce kept for its campaigns only):
 *   the organiser decided it, the organiser may undo it, and the record says who and why;
 * - never an everywhere-suppression (hard bounce, complaint, erasure with `organiser_id` NULL), even
 *   one the organiser's own mail caused: it protects every organiser's mail (a dead address mailed
 *   again hurts the reputation of the installation's sending domain for all of them) and honours
 *   erasure, so one organiser cannot decide it for the others. The operator can;
 * - never the person's own "unsubscribe from all": only the person undoes it, by signing again
 *   (removeOrganiserUnsubscribe in suppressions.ts).
 *
 * The suppression row is deleted (every send path reads only existing rows) and a copy kept in
 * suppression_removals, in one transaction, so a removal is never unrecorded and never recorded
 * twice: the row is locked first, and a second removal at the same moment finds nothing (404).
 */
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { suppressionRemovals, suppressions } from '../db/schema.js';
import { NotFoundError, StateError } from '../errors.js';
import { findVisibleSuppression } from './suppression-queries.js';

/** Who lifts it: a signed-in user of the web app, or an API key. */
export type RemovedBy = { userId: string } | { apiKeyId: string };

export interface SuppressionRemoval {
  id: string;
  suppressionId: string;
  reason: string;
  removedAt: Date;
}

export async function removeSuppression(
  db: Database,
  organiserId: string,
  suppressionId: string,
  removal: { reason: string; by: RemovedBy },
): Promise<SuppressionRemoval> {
  return db.transaction(async (tx) => {
    // Visible to this organiser first (another organiser's id is a 404), then locked by id.
    const visible = await findVisibleSuppression(tx, organiserId, suppressionId);
    const [row] = visible ? await tx.select().from(suppressions).where(eq(suppressions.id, visible.id)).for('update') : [];
    if (!row) throw new NotFoundError('Suppression not found');
    assertRemovable({ everywhere: row.organiserId === null, reason: row.reason });
    const [recorded] = await tx
      .insert(suppressionRemovals)
      .values({
        suppressionId: row.id,
        organiserId,
        emailHash: row.emailHash,
        suppressionReason: row.reason,
        suppressionSource: row.source,
        campaignId: row.campaignId,
        detail: row.detail,
        suppressedAt: row.createdAt,
        removedByUserId: 'userId' in removal.by ? removal.by.userId : null,
        removedByApiKeyId: 'apiKeyId' in removal.by ? removal.by.apiKeyId : null,
        reason: removal.reason,
      })
      .returning({ id: suppressionRemovals.id, removedAt: suppressionRemovals.removedAt });
    await tx.delete(suppressions).where(eq(suppressions.id, row.id));
    return { id: recorded!.id, suppressionId: row.id, reason: removal.reason, removedAt: recorded!.removedAt };
  });
}

/** Why the organiser may not lift this suppression (the rules above), or undefined if it may. */
function refusal(row: { everywhere: boolean; reason: string }): StateError | undefined {
  if (row.everywhere) {
    return new StateError(
      'suppressed_everywhere',
      'This address is suppressed for every organisation (a hard bounce, complaint or erasure); one organisation cannot lift it. Ask the operator.',
    );
  }
  if (row.reason === 'unsubscribe_all') {
    return new StateError('unsubscribed_by_the_person', 'The person unsubscribed from all your campaigns themselves; only they can undo it, by signing again.');
  }
  return undefined;
}

export function assertRemovable(row: { everywhere: boolean; reason: string }): void {
  const refused = refusal(row);
  if (refused) throw refused;
}

/** Whether the organiser may lift this suppression, for showing the way to do it at all. */
export function isRemovable(row: { everywhere: boolean; reason: string }): boolean {
  return refusal(row) === undefined;
}
