/**
 * What the pages that ask before starting or cancelling a broadcast say: to how many people it goes
 * and when, or what cancelling leaves undone. The audience is counted by the planner's own rule.
 */
import type { BroadcastRow } from '../broadcasts/broadcast-queries.js';
import type { CampaignRow } from '../db/schema.js';
import type { ConfirmationOptions } from '../web/app-page.js';
import { formatDateTime } from './screen-text.js';

type Question = Pick<ConfirmationOptions, 'title' | 'question' | 'confirmLabel' | 'danger'>;

const people = (count: number) => `${count.toLocaleString('en-GB')} supporter${count === 1 ? '' : 's'}`;

export function startQuestion(action: 'start' | 'cancel', broadcast: BroadcastRow, campaign: Pick<CampaignRow, 'title'>, audience: number, now = new Date()): Question {
  const subject = `“${broadcast.subject}”`;
  if (action === 'cancel') {
    const draft = broadcast.status === 'draft';
    return {
      title: draft ? 'Discard this draft?' : 'Cancel this broadcast?',
      question: draft
        ? [`${subject} will never be sent. This cannot be undone.`]
        : [`Nobody who has not been sent ${subject} yet will get it. Messages already sent stay sent. This cannot be undone.`],
      confirmLabel: draft ? 'Discard the draft' : 'Cancel the broadcast',
      danger: true,
    };
  }
  const later = broadcast.scheduledAt && broadcast.scheduledAt.getTime() > now.getTime() ? broadcast.scheduledAt : undefined;
  if (later) {
    return {
      title: `Schedule this update for ${formatDateTime(later)}?`,
      question: [
        `${subject} will go to the supporters of “${campaign.title}” who can be mailed on ${formatDateTime(later)} (London time): today that is ${people(audience)}.`,
        'Until then you can pause or cancel it.',
      ],
      confirmLabel: 'Schedule it',
    };
  }
  return {
    title: `Send this update to ${people(audience)}?`,
    question: [
      `${subject} goes to ${people(audience)} of “${campaign.title}” now: everyone confirmed, subscribed and not suppressed.`,
      ...(broadcast.scheduledAt ? [`The time it was to be sent (${formatDateTime(broadcast.scheduledAt)}) has passed, so it starts at once.`] : []),
      'You can pause or cancel it while it sends.',
    ],
    confirmLabel: `Send to ${people(audience)}`,
  };
}
