/**
 * The organisation's profile and logo from /app/settings, owners only (403 otherwise), through the
 * same rules as PUT /api/v1/organiser/profile and /logo (organiser-profile.ts): a form the API would
 * refuse comes back with the errors beside its fields, and nothing is saved.
 *
 * The logo form is multipart, read like every /app upload (uploads.ts) before the CSRF check.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { logoTooLarge, profileBody, removeLogo, replaceLogo, updateProfile } from '../organisers/organiser-profile.js';
import { sendPage } from '../web/page-reply.js';
import type { AppContext } from './app-context.js';
import { requireOwner } from './app-user.js';
import type { ProfileField } from './profile-settings-page.js';
import { settingsPage, type SettingsModel } from './settings-page.js';
import { loadSettingsModel } from './settings-routes.js';
import { uploadsOf } from './uploads.js';

const LABELS = { name: 'Organisation name', website: 'Website', postalAddress: 'Postal address' } as const;
const profileForm = z.object({ name: z.unknown().optional(), website: z.unknown().optional(), postalAddress: z.unknown().optional() });
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function describeIssue(issue: z.core.$ZodIssue, label: string): string {
  if (issue.code === 'too_small' && issue.minimum === 1) return `Enter the ${label.toLowerCase()}`;
  if (issue.code === 'too_big') return `${label} must be at most ${Number(issue.maximum).toLocaleString('en-GB')} characters`;
  // The schema's own messages start lower-case, to follow the field's name ("must be a web address …").
  return /^[a-z]/.test(issue.message) ? `${label} ${issue.message}` : issue.message;
}

export async function profileSettingsRoutes(app: FastifyInstance, context: AppContext): Promise<void> {
  const { db } = context;
  const hide = { schema: { hide: true } };
  const logoMaxBytes = context.config.ORGANISER_LOGO_MAX_BYTES;

  const backWithErrors = async (request: FastifyRequest, reply: FastifyReply, profileForm: SettingsModel['profileForm'], status = 400) =>
    sendPage(reply, status, settingsPage(await loadSettingsModel(context, request, { profileForm })));

  app.post('/settings/profile', hide, async (request, reply) => {
    const owner = requireOwner(request);
    const form = profileForm.parse(request.body ?? {});
    const values = { 'profile-name': text(form.name), 'profile-website': text(form.website), 'profile-postalAddress': text(form.postalAddress) };
    // An empty optional field is "none", as null is in the API.
    const parsed = profileBody.safeParse({
      name: values['profile-name'],
      website: values['profile-website'].trim() || null,
      postalAddress: values['profile-postalAddress'].trim() || null,
    });
    if (!parsed.success) {
      const errors: Partial<Record<ProfileField, string>> = {};
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0]) as keyof typeof LABELS;
        if (field in LABELS) errors[`profile-${field}`] ??= describeIssue(issue, LABELS[field]);
      }
      return backWithErrors(request, reply, { values, errors });
    }
    await updateProfile(db, owner.organiserId, parsed.data);
    return reply.redirect('/app/settings?done=profile-saved#profile', 303);
  });

  app.post('/settings/logo', hide, async (request, reply) => {
    const owner = requireOwner(request);
    const logo = uploadsOf(request).find((upload) => upload.field === 'logo')?.content;
    // Too large is its own status (413), with the form saying why, as for any other refusal.
    if (logo && logo.length > logoMaxBytes) return backWithErrors(request, reply, { errors: { logo: logoTooLarge(logoMaxBytes).message } }, 413);
    try {
      if (!logo) throw new ValidationError('Choose a PNG or JPEG file to upload', 'logo');
      await replaceLogo(db, owner.organiserId, logo, logoMaxBytes);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return backWithErrors(request, reply, { errors: { logo: error.message } });
    }
    return reply.redirect('/app/settings?done=logo-saved#profile', 303);
  });

  app.post('/settings/logo/remove', hide, async (request, reply) => {
    const owner = requireOwner(request);
    await removeLogo(db, owner.organiserId);
    return reply.redirect('/app/settings?done=logo-removed#profile', 303);
  });
}
