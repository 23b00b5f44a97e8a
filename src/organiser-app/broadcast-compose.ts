/**
 * The form that composes an update to a campaign's supporters: its subject and body are read by the
 * API's own schema (createBroadcastBody) and saved by the same service (createBroadcast), whose
 * template check puts an invalid Liquid template's line and column beside its field. The send time
 * is a London wall-clock time; empty means "when you confirm".
 */
import { z } from 'zod';
import { createBroadcastBody } from '../broadcasts/broadcast-routes.js';
import type { AppError } from '../errors.js';
import type { FieldErrors } from '../web/form-fields.js';
import { londonLocalToInstant } from './london-time.js';

export const COMPOSE_FIELDS = ['subject', 'body', 'sendAt'] as const;
export type ComposeField = (typeof COMPOSE_FIELDS)[number];
/** Errors that are about the whole form (the campaign is a draft), shown in the summary. */
export const COMPOSE_FORM = 'compose-form';

export const COMPOSE_LABELS: Record<ComposeField, string> = {
  subject: 'Subject',
  body: 'Message',
  sendAt: 'Send at (optional)',
};

/** The posted form; one that is not a form of ours (a field twice, another type) is the app's 400 page. */
export const composeFormBody = z.object({
  subject: z.string().max(10_000).default(''),
  body: z.string().max(300_000).default(''),
  sendAt: z.string().max(100).default(''),
  previewAs: z.string().max(254).optional(),
});
export type ComposeValues = Pick<z.output<typeof composeFormBody>, ComposeField>;

export type ParsedCompose = { ok: true; input: { subject: string; body: string; scheduledAt: Date | undefined } } | { ok: false; errors: FieldErrors };

function messageOf(field: 'subject' | 'body', issue: z.core.$ZodIssue): string {
  const label = COMPOSE_LABELS[field];
  if (issue.code === 'too_small' || issue.message === 'must not be empty') return `Enter the ${label.toLowerCase()}`;
  if (issue.code === 'too_big') return `${label} must be at most ${Number(issue.maximum).toLocaleString('en-GB')} characters`;
  return `${label} ${issue.message}`;
}

export function parseCompose(values: ComposeValues, now = new Date()): ParsedCompose {
  const errors: FieldErrors = {};
  const subject = createBroadcastBody.shape.subject.safeParse(values.subject);
  if (!subject.success) errors.subject = messageOf('subject', subject.error.issues[0]!);
  const body = createBroadcastBody.shape.body.safeParse(values.body);
  if (!body.success) errors.body = messageOf('body', body.error.issues[0]!);
  let scheduledAt: Date | undefined;
  if (values.sendAt.trim() !== '') {
    scheduledAt = londonLocalToInstant(values.sendAt.trim());
    if (!scheduledAt) errors.sendAt = 'Enter a date and time, like 4 December 2026 at 09:30';
    else if (scheduledAt.getTime() <= now.getTime()) errors.sendAt = 'Enter a time in the future, or leave it empty to send when you confirm';
  }
  if (!subject.success || !body.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input: { subject: subject.data, body: body.data, scheduledAt } };
}

/** The service's refusal beside its field ("body: …" → the message field), or in the summary. */
export function composeErrorsOf(error: AppError): FieldErrors {
  const field = error.field === 'subject' || error.field === 'body' ? error.field : undefined;
  if (!field) return { [COMPOSE_FORM]: error.message };
  const message = error.message.replace(/^(subject|body): /, '');
  return { [field]: `${COMPOSE_LABELS[field]}: ${message}` };
}
