/**
 * The organisation's profile and logo from /app/settings, owners only (403 otherwise), through the
 * same rules as PUT /api/v1/organiser/profile and /logo (organiser-profile.ts): a form the API would
 * refuse comes back with the errors beside its fields, and nothing is saved.
 *
 * The logo form is multipart. The session guard checks every POST's CSRF token in the parsed body
 * before the route runs, so this scope parses multipart bodies itself, whole (they are small: at
 * most the logo's limit and a little), into `{ _csrf, logo }`; a form with no valid token is
 * refused before the logo is looked at.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { logoTooLarge, profileBody, removeLogo, replaceLogo, updateProfile } from '../organisers/organiser-profile.js';
import { CSRF_FIELD } from '../web/form-fields.js';
import { sendPage } from '../web/page-reply.js';
import type { AppContext } from './app-context.js';
import { renderAppErrors } from './app-errors.js';
import { requireOwner } from './app-user.js';
import type { ProfileField } from './profile-settings-page.js';
import { settingsPage, type SettingsModel } from './settings-page.js';
import { loadSettingsModel } from './settings-routes.js';

const LABELS = { name: 'Organisation name', website: 'Website', postalAddress: 'Postal address' } as const;
const profileForm = z.object({ name: z.unknown().optional(), website: z.unknown().optional(), postalAddress: z.unknown().optional() });
/** Room for the multipart framing and the CSRF field around a logo of the largest size allowed. */
const MULTIPART_OVERHEAD = 16 * 1024;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function describeIssue(issue: z.core.$ZodIssue, label: string): string {
  if (issue.code === 'too_small' && issue.minimum === 1) return `Enter the ${label.toLowerCase()}`;
  if (issue.code === 'too_big') return `${label} must be at most ${Number(issue.maximum).toLocaleString('en-GB')} characters`;
  // The schema's own messages start lower-case, to follow the field's name ("must be a web address …").
  return /^[a-z]/.test(issue.message) ? `${label} ${issue.message}` : issue.message;
}

/** A multipart body read whole into its fields: the CSRF token and the logo's bytes, if sent. */
async function readLogoForm(request: FastifyRequest, body: Buffer): Promise<{ [CSRF_FIELD]?: string; logo?: Buffer }> {
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': String(request.headers['content-type']) } }).formData();
  } catch {
    throw new ValidationError('The form could not be read: choose the file again and upload it', 'logo');
  }
  const token = form.get(CSRF_FIELD);
  const logo = form.get('logo');
  return {
    ...(typeof token === 'string' ? { [CSRF_FIELD]: token } : {}),
    // A browser sends an empty file part when no file was chosen.
    ...(logo instanceof Blob && logo.size > 0 ? { logo: Buffer.from(await logo.arrayBuffer()) } : {}),
  };
}

export async function profileSettingsRoutes(app: FastifyInstance, context: AppContext): Promise<void> {
  const { db } = context;
  const hide = { schema: { hide: true } };
  const logoMaxBytes = context.config.ORGANISER_LOGO_MAX_BYTES;

  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: logoMaxBytes + MULTIPART_OVERHEAD }, async (request: FastifyRequest, body: Buffer) =>
    readLogoForm(request, body),
  );
  // A file far over the limit is refused unread (413): the owner still gets the form, saying why.
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' && request.routeOptions.url === '/app/settings/logo' && request.appUser?.role === 'owner') {
      return sendPage(reply, 413, settingsPage(await loadSettingsModel(context, request, { profileForm: { errors: { logo: logoTooLarge(logoMaxBytes).message } } })));
    }
    return renderAppErrors(error, request, reply);
  });

  const backWithErrors = async (request: FastifyRequest, reply: FastifyReply, profileForm: SettingsModel['profileForm']) =>
    sendPage(reply, 400, settingsPage(await loadSettingsModel(context, request, { profileForm })));

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
    const logo = (request.body as { logo?: Buffer } | undefined)?.logo;
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
