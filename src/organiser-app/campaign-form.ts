/**
 * The campaign form's fields, and the way between them and the API's request bodies. The form only
 * reshapes what was typed (dotted names into nested objects, one allowed sender a line); every rule
 * is the API's own: createCampaignBody / updateCampaignBody and the campaign service. Their issues
 * come back here as an error beside each field, in words for a person rather than for a program.
 */
import { z } from 'zod';
import { createCampaignBody, updateCampaignBody, type CreateCampaignInput, type UpdateCampaignInput } from '../campaigns/campaign-schemas.js';
import { LOCKED_ONCE_PUBLISHED } from '../campaigns/campaign-service.js';
import { DEFAULT_CONSENT_STATEMENT, type CampaignRow } from '../db/schema.js';
import type { AppError } from '../errors.js';

export const CAMPAIGN_FIELDS = [
  'title',
  'slug',
  'summary',
  'letter.subject',
  'letter.body',
  'target.name',
  'target.email',
  'target.address',
  'sender.name',
  'sender.email',
  'replyPolicy.mode',
  'replyPolicy.allowedSenders',
  'consentStatement',
] as const;

export type CampaignField = (typeof CAMPAIGN_FIELDS)[number];
export type CampaignFormValues = Record<CampaignField, string>;
/** Where an error about the whole form goes: the form's id, so the summary's link leads to it. */
export const FORM_ERROR = 'campaign-form';
export type FieldErrors = Partial<Record<CampaignField | typeof FORM_ERROR, string>>;

export const FIELD_LABELS: Record<CampaignField, string> = {
  title: 'Title',
  slug: 'Web address (slug)',
  summary: 'Summary',
  'letter.subject': 'Letter subject',
  'letter.body': 'Letter',
  'target.name': 'Target’s name',
  'target.email': 'Target’s email address',
  'target.address': 'Target’s postal address',
  'sender.name': 'Sender name',
  'sender.email': 'Sender email address',
  'replyPolicy.mode': 'When an official reply arrives',
  'replyPolicy.allowedSenders': 'Allowed reply senders',
  consentStatement: 'Consent statement',
};

/**
 * What a browser posts: every field a single string. Other keys (the CSRF token, which button was
 * pressed, the preview's supporter) belong to the route, not to the campaign, and are ignored here.
 */
export const campaignFormBody = z.object(
  Object.fromEntries(CAMPAIGN_FIELDS.map((field) => [field, z.string().max(200_000).optional()])) as Record<
    CampaignField,
    z.ZodOptional<z.ZodString>
  >,
);

export function formValuesOf(body: z.output<typeof campaignFormBody>): CampaignFormValues {
  return Object.fromEntries(CAMPAIGN_FIELDS.map((field) => [field, body[field] ?? ''])) as CampaignFormValues;
}

export function formValuesFromCampaign(campaign: CampaignRow): CampaignFormValues {
  return {
    title: campaign.title,
    slug: campaign.slug,
    summary: campaign.summary ?? '',
    'letter.subject': campaign.letterSubject,
    'letter.body': campaign.letterBody,
    'target.name': campaign.targetName,
    'target.email': campaign.targetEmail,
    'target.address': campaign.targetAddress ?? '',
    'sender.name': campaign.senderName,
    'sender.email': campaign.senderEmail,
    'replyPolicy.mode': campaign.replyMode,
    'replyPolicy.allowedSenders': campaign.replyAllowedSenders.join('\n'),
    consentStatement: campaign.consentStatement,
  };
}

/** Whether a form field is one the API refuses to change once the campaign is published. */
export function isLockedField(field: CampaignField, status: CampaignRow['status']): boolean {
  return status !== 'draft' && (LOCKED_ONCE_PUBLISHED as readonly string[]).includes(field.split('.')[0]!);
}

function optionalText(value: string): string | null {
  return value.trim() === '' ? null : value;
}

/** The API's request body, nested as it expects, before its schema has looked at it. */
function bodyOf(values: CampaignFormValues) {
  return {
    slug: values.slug.trim(),
    title: values.title,
    summary: optionalText(values.summary),
    letter: { subject: values['letter.subject'], body: values['letter.body'] },
    target: { name: values['target.name'], email: values['target.email'], address: optionalText(values['target.address']) },
    sender: { name: values['sender.name'], email: values['sender.email'] },
    replyPolicy: {
      mode: values['replyPolicy.mode'],
      allowedSenders: values['replyPolicy.allowedSenders'].split(/[\n,]/).map((line) => line.trim()).filter(Boolean),
    },
    consentStatement: values.consentStatement,
  };
}

export type Parsed<T> = { ok: true; input: T } | { ok: false; errors: FieldErrors };

export function parseNewCampaign(values: CampaignFormValues): Parsed<CreateCampaignInput> {
  const { consentStatement, ...rest } = bodyOf(values);
  // Left empty, the campaign gets the standard statement, as through the API.
  const body = consentStatement.trim() === '' ? rest : { ...rest, consentStatement };
  const parsed = createCampaignBody.safeParse(body);
  return parsed.success ? { ok: true, input: parsed.data } : { ok: false, errors: errorsOf(parsed.error.issues, values) };
}

/** An edit sends every field it may change; a published campaign's locked ones are left out. */
export function parseCampaignEdit(values: CampaignFormValues, status: CampaignRow['status']): Parsed<UpdateCampaignInput> {
  const body: Record<string, unknown> = bodyOf(values);
  // Emptied, the statement goes back to the standard one, as a new campaign's does.
  if (values.consentStatement.trim() === '') body.consentStatement = DEFAULT_CONSENT_STATEMENT;
  if (status !== 'draft') for (const locked of LOCKED_ONCE_PUBLISHED) delete body[locked];
  const parsed = updateCampaignBody.safeParse(body);
  return parsed.success ? { ok: true, input: parsed.data } : { ok: false, errors: errorsOf(parsed.error.issues, values) };
}

interface IssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  minimum?: unknown;
  maximum?: unknown;
  format?: string;
  origin?: string;
}

function fieldOfPath(path: PropertyKey[]): CampaignField | undefined {
  const name = path.filter((part) => typeof part === 'string').join('.');
  return (CAMPAIGN_FIELDS as readonly string[]).includes(name) ? (name as CampaignField) : undefined;
}

/** One zod issue in words: "Enter the title", "Enter at most 200 characters", or the schema's own message. */
function describeIssue(issue: IssueLike, field: CampaignField, values: CampaignFormValues): string {
  const label = FIELD_LABELS[field];
  if (issue.code === 'too_small' && issue.minimum === 1) return `Enter the ${label.toLowerCase()}`;
  if (issue.code === 'too_small') return `${label} must be at least ${String(issue.minimum)} characters`;
  if (issue.code === 'too_big' && issue.origin === 'array') return `${label}: list at most ${String(issue.maximum)}`;
  if (issue.code === 'too_big') return `${label} must be at most ${Number(issue.maximum).toLocaleString('en-GB')} characters`;
  if (issue.code === 'invalid_format' && issue.format === 'email') return `Enter an email address like name@example.org`;
  if (issue.code === 'invalid_value' || issue.code === 'invalid_type') return `Choose or enter a valid ${label.toLowerCase()}`;
  // An allowed sender that is neither an address nor a domain: say which line.
  const index = issue.path.find((part) => typeof part === 'number');
  if (field === 'replyPolicy.allowedSenders' && index !== undefined) {
    const entry = bodyOf(values).replyPolicy.allowedSenders[index];
    return `“${entry ?? ''}” ${issue.message}`;
  }
  // The schemas' own messages start lower-case, to follow a field's name ("must be a single line …").
  return `${label} ${issue.message}`;
}

export function errorsOf(issues: IssueLike[], values: CampaignFormValues): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const field = fieldOfPath(issue.path);
    if (field) errors[field] ??= describeIssue(issue, field, values);
    else errors[FORM_ERROR] ??= issue.message;
  }
  return errors;
}

/**
 * A service's refusal (slug taken, a template that does not parse, a locked field) beside the field
 * it names. Its message names the field for API clients ("letter.body: …"); beside the field that
 * prefix is noise.
 */
export function errorsOfServiceError(error: AppError): FieldErrors {
  const field = error.field ? fieldOfPath(error.field.split('.')) : undefined;
  if (!field) return { [FORM_ERROR]: error.message };
  const message = error.message.startsWith(`${error.field}: `) ? error.message.slice(error.field!.length + 2) : error.message;
  return { [field]: message.charAt(0).toUpperCase() + message.slice(1) };
}
