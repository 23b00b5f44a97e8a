/** Words for broadcasts on the organiser's screens, shared by the list, the broadcast page and its script. */
import type { BroadcastProgress } from '../broadcasts/broadcast-service.js';
import type { BroadcastStatus } from '../broadcasts/broadcast-queries.js';
import { formatDateTime } from './screen-text.js';

export const BROADCAST_STATUS_LABELS: Record<BroadcastStatus, string> = {
  draft: 'Draft: not sent',
  scheduled: 'Scheduled',
  sending: 'Sending',
  paused: 'Paused',
  cancelled: 'Cancelled',
  completed: 'Completed',
};

export const BROADCAST_KIND_LABELS = {
  update: 'Update',
  reply: 'Forwarded reply',
  letter: 'Letter copy',
  target: 'Letter to the target',
} as const;

/** The moment that matters most for the broadcast's status, said as a phrase. */
export function broadcastWhen(b: Pick<BroadcastProgress, 'status' | 'scheduledAt' | 'startedAt' | 'completedAt'>): string {
  const at = (iso: string) => formatDateTime(new Date(iso));
  if (b.completedAt && (b.status === 'completed' || b.status === 'cancelled')) return `${b.status === 'completed' ? 'Finished' : 'Cancelled'} ${at(b.completedAt)}`;
  if (b.startedAt) return `Started ${at(b.startedAt)}`;
  if (b.scheduledAt) return `${b.status === 'draft' ? 'To be sent' : 'Will start'} ${at(b.scheduledAt)}`;
  return 'Not started';
}

/** How much of the audience is settled (sent, failed, bounced or skipped), in whole percent. */
export function settledPercent(counts: BroadcastProgress['counts'], status: BroadcastStatus): number {
  if (counts.total === 0) return status === 'completed' ? 100 : 0;
  return Math.floor(((counts.total - counts.pending) * 100) / counts.total);
}

/** "about 3 minutes": an ETA in seconds as a person says it. The page's script has the same rule. */
export function describeEta(seconds: number | null): string {
  if (seconds === null) return 'not known yet';
  if (seconds < 60) return `about ${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `about ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  return `about ${hours} hour${hours === 1 ? '' : 's'}`;
}
