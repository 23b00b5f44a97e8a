/** Words and dates the organiser's screens share. */
import type { CampaignRow } from '../db/schema.js';

export const STATUS_LABELS: Record<CampaignRow['status'], string> = {
  draft: 'Draft',
  open: 'Open for signatures',
  closed: 'Closed',
};

// Built once: constructing an Intl formatter costs more than the page around it.
const DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/London',
});
const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Europe/London' });

/** "4 September 2013 at 11:00", in the letters' time zone. */
export function formatDateTime(instant: Date): string {
  return DATE_TIME.format(instant);
}

/** "4 Sept 2013". */
export function formatDate(instant: Date): string {
  return DATE.format(instant);
}
