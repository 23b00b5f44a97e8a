/**
 * The campaign API's shapes, in and out. The same zod schemas validate requests and generate the
 * OpenAPI document, so the docs cannot drift from what the server accepts.
 */
import { z } from 'zod';
import { mergeFieldsDescription } from '../templates/merge-fields.js';

/**
 * Half of a UTF-16 surrogate pair without its other half. JSON can carry one ("\ud800"), but it is
 * not a character: Postgres would store U+FFFD instead, so what was sent would silently change.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isWellFormedText(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/**
 * Control characters, C0 and C1, and the Unicode line and paragraph separators: none belongs on
 * one line, and a name or subject with them could read as several lines in a mail client.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const NOT_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Text that may end up in a mail header (subject, display names): one line, no control characters. */
export function singleLine(max: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((value) => !NOT_ONE_LINE.test(value), {
      message: 'must be a single line without control characters',
    })
    .refine(isWellFormedText, { message: 'must be valid Unicode text (it contains half of a surrogate pair)' });
}

/** Multi-line text: line breaks and tabs allowed, other control characters (NUL, ESC, …) not. */
export function multiLine(max: number) {
  return z
    .string()
    .max(max)
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    .refine((value) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value), {
      message: 'must not contain control characters',
    })
    .refine(isWellFormedText, { message: 'must be valid Unicode text (it contains half of a surrogate pair)' });
}

const email = z.email().trim().max(254);

export const slugSchema = z
  .string()
  .min(3)
  .max(80)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, {
    message: 'must be lower-case letters, digits and single hyphens, e.g. "protect-civilians-2013"',
  });

const domainPattern = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** An allowed official sender: a whole address, or a domain (with or without a leading "@"). */
const allowedSender = z
  .string()
  .trim()
  .toLowerCase()
  .transform((value) => value.replace(/^@/, ''))
  .refine((value) => z.email().safeParse(value).success || domainPattern.test(value), {
    message: 'must be an email address (minister@gov.example) or a domain (gov.example)',
  });

const allowedSenders = z
  .array(allowedSender)
  .max(100)
  .transform((values) => [...new Set(values)]);

const consentStatementSchema = multiLine(1_000)
  .refine((value) => value.trim().length > 0, { message: 'must not be empty' })
  .describe('Shown beside the sign form’s unticked consent checkbox and stored with each signature');

export const replyModeSchema = z.enum(['auto', 'approve']);

const letterSchema = z.strictObject({
  subject: singleLine(200).describe(`Subject of the letter; may use merge fields. ${mergeFieldsDescription()}`),
  body: multiLine(100_000)
    .refine((value) => value.trim().length > 0, { message: 'must not be empty' })
    .describe(`Letter text: Markdown with Liquid merge fields. ${mergeFieldsDescription()}`),
});

const targetSchema = z.strictObject({
  name: singleLine(200).describe('The decision-maker, e.g. "The Rt Hon William Hague MP"'),
  email: email,
  address: multiLine(1_000).nullish().describe('Postal address, printed on the letter'),
});

const senderSchema = z.strictObject({
  name: singleLine(200).describe('Display name mail is sent under, e.g. the organisation'),
  email: email,
});

const replyPolicySchema = z.strictObject({
  mode: replyModeSchema.describe('auto: trusted replies are forwarded at once; approve: the organiser decides'),
  allowedSenders: allowedSenders.describe('Addresses or domains whose replies can be trusted'),
});

/** Auto-forwarding with nobody allowed would silently hold every reply: refuse it up front. */
export function autoNeedsSenders(policy: { mode: string; allowedSenders: string[] }): boolean {
  return policy.mode !== 'auto' || policy.allowedSenders.length > 0;
}
const AUTO_NEEDS_SENDERS = 'must list at least one address or domain when mode is "auto"';

export const createCampaignBody = z
  .strictObject({
    slug: slugSchema,
    title: singleLine(200),
    summary: multiLine(2_000).nullish(),
    letter: letterSchema,
    target: targetSchema,
    sender: senderSchema,
    replyPolicy: replyPolicySchema.default({ mode: 'approve', allowedSenders: [] }),
    consentStatement: consentStatementSchema.optional(),
  })
  .superRefine((body, ctx) => {
    if (!autoNeedsSenders(body.replyPolicy)) {
      ctx.addIssue({ code: 'custom', path: ['replyPolicy', 'allowedSenders'], message: AUTO_NEEDS_SENDERS });
    }
  });

export const updateCampaignBody = z
  .strictObject({
    slug: slugSchema,
    title: singleLine(200),
    summary: multiLine(2_000).nullable(),
    letter: letterSchema.partial(),
    target: targetSchema.partial(),
    sender: senderSchema.partial(),
    replyPolicy: replyPolicySchema.partial(),
    consentStatement: consentStatementSchema,
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, { message: 'must change at least one field' });

export type CreateCampaignInput = z.output<typeof createCampaignBody>;
export type UpdateCampaignInput = z.output<typeof updateCampaignBody>;
export { AUTO_NEEDS_SENDERS };

export const campaignStatusSchema = z.enum(['draft', 'open', 'closed']);

export const campaignView = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    title: z.string(),
    summary: z.string().nullable(),
    status: campaignStatusSchema,
    letter: z.object({ subject: z.string(), body: z.string() }),
    target: z.object({ name: z.string(), email: z.string(), address: z.string().nullable() }),
    sender: z.object({ name: z.string(), email: z.string() }),
    replyPolicy: z.object({ mode: replyModeSchema, allowedSenders: z.array(z.string()) }),
    consentStatement: z.string(),
    supporterCount: z.number().int().describe('Confirmed supporters, including those who since erased their data'),
    replyAddress: z.string().describe('Where the target replies; give it as Reply-To on the letter'),
    publicUrl: z.string().describe('The public campaign page supporters sign on'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    publishedAt: z.iso.datetime().nullable(),
    closedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Campaign' });

export type CampaignView = z.output<typeof campaignView>;

/** One campaign, with what only its own GET works out (it renders the letter, once per version). */
export const campaignDetailView = campaignView
  .extend({
    letterProblem: z
      .string()
      .nullable()
      .describe('Why the public page cannot show the letter right now (a render limit, for its title), or null when it can'),
  })
  .meta({ id: 'CampaignDetail' });

export const campaignIdParams = z.strictObject({ id: z.uuid({ message: 'must be a campaign id (UUID)' }) });

export const listCampaignsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional().describe('nextCursor from the previous page'),
  status: campaignStatusSchema.optional(),
});

export const campaignPage = z.object({
  items: z.array(campaignView),
  nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page'),
});
