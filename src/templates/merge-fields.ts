/**
 * The closed set of merge fields organisers may use, with what each means. A template using
 * anything else is refused when it is saved (see validateTemplate), never rendered blank in a mail.
 */
import { LRUCache } from 'lru-cache';

export const MERGE_FIELDS = {
  'supporter.name': 'The supporter’s full name as they signed',
  'supporter.first_name': 'The first word of the supporter’s name',
  'supporter.postcode': 'The postcode they gave (may be empty)',
  'campaign.title': 'The campaign’s title',
  'campaign.target.name': 'The decision-maker the letter is addressed to',
  signed_at: 'The date the supporter signed, e.g. "4 September 2013"',
  unsubscribe_url: 'The supporter’s one-click unsubscribe link',
} as const;

export type MergeField = keyof typeof MERGE_FIELDS;

/** The merge fields as API documentation lists them: one line each, "`{{ field }}`: what it is". */
export function mergeFieldsDescription(): string {
  return `Merge fields (Liquid): ${Object.entries(MERGE_FIELDS)
    .map(([field, meaning]) => `\`{{ ${field} }}\` ${meaning.charAt(0).toLowerCase()}${meaning.slice(1)}`)
    .join('; ')}.`;
}

export interface MergeData {
  supporter: { name: string; first_name: string; postcode: string };
  campaign: { title: string; target: { name: string } };
  signed_at: string;
  unsubscribe_url: string;
}

/** How merge fields appear on the public page, before anyone has signed. */
export const PLACEHOLDER_DATA: MergeData = {
  supporter: { name: '[your name]', first_name: '[your first name]', postcode: '[your postcode]' },
  campaign: { title: '[campaign title]', target: { name: '[target name]' } },
  signed_at: '[the date you sign]',
  unsubscribe_url: '[your unsubscribe link]',
};

export function firstNameOf(name: string): string {
  return name.trim().split(/\s+/)[0] ?? '';
}

// Built once: constructing an Intl formatter costs more than rendering the rest of a letter.
const LETTER_DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });

const HOUR_MS = 3_600_000;
/** By the hour: London's day always changes on the hour, so one hour has one date. */
const formattedHours = new LRUCache<number, string>({ max: 10_000 });

/** British-style long date, the way letters are dated: "4 September 2013". */
export function formatLetterDate(date: Date): string {
  // Formatting costs microseconds, and a broadcast dates every supporter's signature.
  const hour = Math.floor(date.getTime() / HOUR_MS);
  let formatted = formattedHours.get(hour);
  if (formatted === undefined) {
    formatted = LETTER_DATE.format(date);
    formattedHours.set(hour, formatted);
  }
  return formatted;
}

export function mergeDataFor(input: {
  supporterName: string;
  postcode: string | null;
  campaignTitle: string;
  targetName: string;
  signedAt: Date;
  unsubscribeUrl: string;
}): MergeData {
  return {
    supporter: { name: input.supporterName, first_name: firstNameOf(input.supporterName), postcode: input.postcode ?? '' },
    campaign: { title: input.campaignTitle, target: { name: input.targetName } },
    signed_at: formatLetterDate(input.signedAt),
    unsubscribe_url: input.unsubscribeUrl,
  };
}
