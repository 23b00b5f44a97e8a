/**
 * May we mail this person, now: the one rule every kind of mail checks just before sending (and
 * the broadcast planner's SQL writes out for a whole audience, suppressions.ts).
 */

/** What mail it is, which decides what the person must have done (or not done). */
export type MailPurpose =
  /** A broadcast to supporters, or the supporter's copy of the letter: confirmed, subscribed, not suppressed. */
  | 'campaign'
  /** A supporter's letter delivered to the target: only their confirmed signature counts (the target is mailed). */
  | 'letter-to-target'
  /** The request to confirm a signature: not confirmed yet (or re-subscribing), address not suppressed everywhere. */
  | 'confirmation'
  /** The "your data" link: the address not suppressed everywhere. */
  | 'account';

export interface Addressee {
  confirmed: boolean;
  unsubscribed: boolean;
  /** The suppression on the address in this mail's scope (suppressionScope), if any. */
  suppressedBecause: string | null;
}

/**
 * Whose suppressions stop this mail: everyone's (hard bounces, complaints, erasures, and
 * "unsubscribe from all" of every organisation for campaign mail: its organiser's own).
 */
export function suppressionScope(purpose: MailPurpose, organiserId: string): string | null {
  return purpose === 'campaign' ? organiserId : null;
}

/** Why this mail must not go to this person now, or undefined if it may. */
export function reasonNotToMail(addressee: Addressee, purpose: MailPurpose): string | undefined {
  if (purpose === 'letter-to-target') return addressee.confirmed ? undefined : 'not confirmed';
  if (addressee.suppressedBecause) return `suppressed (${addressee.suppressedBecause})`;
  if (purpose === 'campaign' && !addressee.confirmed) return 'not confirmed';
  if (purpose === 'campaign' && addressee.unsubscribed) return 'unsubscribed';
  if (purpose === 'confirmation' && addressee.confirmed && !addressee.unsubscribed) return 'already confirmed';
  return undefined;
}
