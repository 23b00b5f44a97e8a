/**
 * /app/settings: people (invite, change role, remove) and API keys (create, shown once; revoke).
 * Everyone signed in may look; only owners change anything (403 otherwise), and every id is looked
 * up within the user's own organiser (another organiser's id is 404).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../errors.js';
import { getProfile } from '../organisers/organiser-profile.js';
import { listApiKeys, revokeApiKeyById } from '../organisers/organiser-queries.js';
import { issueApiKey } from '../organisers/organiser-service.js';
import { confirmationPage } from '../web/app-page.js';
import { sendPage } from '../web/page-reply.js';
import type { AppContext } from './app-context.js';
import { requireOwner } from './app-user.js';
import { newApiKeyPage, settingsPage, type SettingsModel } from './settings-page.js';
import { issueSignInLink } from './sign-in-links.js';
import { changeUserRole, createUser, findUserOf, listUsers, newUserSchema, removeUser, userRoleSchema } from './users.js';

const NOTICES: Record<string, string> = {
  invited: 'Invitation sent.',
  'role-changed': 'Role changed.',
  removed: 'They can no longer sign in.',
  revoked: 'The API key is revoked: requests with it are refused from now on.',
  'profile-saved': 'Profile saved: the campaign pages show it now, and the letters and mail sent from now on.',
  'logo-saved': 'Logo saved.',
  'logo-removed': 'Logo removed.',
};

const idParams = z.object({ id: z.string().max(100) });
const inviteForm = z.object({ email: z.unknown().optional(), name: z.unknown().optional(), role: z.unknown().optional() });
const roleForm = z.object({ role: userRoleSchema });
const KEY_ID = z.uuid();

/** Everything /app/settings shows, for the signed-in user's organiser, with what a failed form adds. */
export async function loadSettingsModel(context: AppContext, request: FastifyRequest, extra: Partial<SettingsModel> = {}): Promise<SettingsModel> {
  const { organiserId } = request.appUser;
  const [users, keys, profile] = await Promise.all([listUsers(context.db, organiserId), listApiKeys(context.db, organiserId), getProfile(context.db, organiserId)]);
  return { user: request.appUser, csrfToken: request.csrfToken, users, keys, profile, logoMaxBytes: context.config.ORGANISER_LOGO_MAX_BYTES, ...extra };
}

export async function settingsRoutes(app: FastifyInstance, context: AppContext): Promise<void> {
  const { db } = context;
  const hide = { schema: { hide: true } };

  const model = (request: FastifyRequest, extra: Partial<SettingsModel> = {}) => loadSettingsModel(context, request, extra);

  app.get<{ Querystring: { done?: string } }>('/settings', hide, async (request, reply) =>
    sendPage(reply, 200, settingsPage(await model(request, { notice: NOTICES[request.query.done ?? ''] }))),
  );

  app.post('/settings/users', hide, async (request, reply) => {
    const owner = requireOwner(request);
    const form = inviteForm.parse(request.body ?? {});
    const values = { 'invite-email': text(form.email), 'invite-name': text(form.name), 'invite-role': text(form.role) };
    const parsed = newUserSchema.safeParse({ email: values['invite-email'], name: values['invite-name'], role: values['invite-role'] });
    if (!parsed.success) {
      const errors = Object.fromEntries(parsed.error.issues.map((issue) => [`invite-${String(issue.path[0])}`, issue.message]));
      return sendPage(reply, 400, settingsPage(await model(request, { invite: { values, errors } })));
    }
    let user;
    try {
      user = await createUser(db, owner.organiserId, parsed.data);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const errors = { 'invite-email': error.message };
      return sendPage(reply, 409, settingsPage(await model(request, { invite: { values, errors } })));
    }
    context.queueMail([await issueSignInLink(db, context.config.SECRET_KEY, user.id, owner.name ?? owner.email)]);
    return reply.redirect('/app/settings?done=invited', 303);
  });

  app.post('/settings/users/:id/role', hide, async (request, reply) => {
    const owner = requireOwner(request);
    const { id } = idParams.parse(request.params);
    await findUserOf(db, owner.organiserId, id);
    const { role } = roleForm.parse(request.body ?? {});
    await changeUserRole(db, owner.organiserId, id, role);
    return reply.redirect('/app/settings?done=role-changed', 303);
  });

  app.get('/settings/users/:id/remove', hide, async (request, reply) => {
    const owner = requireOwner(request);
    const person = await findUserOf(db, owner.organiserId, idParams.parse(request.params).id);
    return sendPage(
      reply,
      200,
      confirmationPage({
        title: `Remove ${person.email}?`,
        user: owner,
        csrfToken: request.csrfToken,
        nav: 'settings',
        question: [`${person.name ?? person.email} will no longer be able to sign in, and is signed out everywhere at once.`],
        action: `/app/settings/users/${person.id}/remove`,
        confirmLabel: 'Remove',
        cancelHref: '/app/settings',
        danger: true,
      }),
    );
  });

  app.post('/settings/users/:id/remove', hide, async (request, reply) => {
    const owner = requireOwner(request);
    await removeUser(db, owner.organiserId, idParams.parse(request.params).id);
    return reply.redirect('/app/settings?done=removed', 303);
  });

  app.post('/settings/api-keys', hide, async (request, reply) => {
    const owner = requireOwner(request);
    const apiKey = await issueApiKey(db, owner.organiserId);
    return sendPage(reply, 201, newApiKeyPage(owner, request.csrfToken, apiKey));
  });

  app.get('/settings/api-keys/:id/revoke', hide, async (request, reply) => {
    const owner = requireOwner(request);
    const key = (await listApiKeys(db, owner.organiserId)).find((candidate) => candidate.id === idParams.parse(request.params).id);
    if (!key || key.revokedAt) throw new NotFoundError('API key not found');
    return sendPage(
      reply,
      200,
      confirmationPage({
        title: `Revoke the key ${key.keyPrefix}…?`,
        user: owner,
        csrfToken: request.csrfToken,
        nav: 'settings',
        question: ['Integrations using this key stop working at once. This cannot be undone.'],
        action: `/app/settings/api-keys/${key.id}/revoke`,
        confirmLabel: 'Revoke',
        cancelHref: '/app/settings',
        danger: true,
      }),
    );
  });

  app.post('/settings/api-keys/:id/revoke', hide, async (request, reply) => {
    const owner = requireOwner(request);
    const { id } = idParams.parse(request.params);
    if (!KEY_ID.safeParse(id).success || !(await revokeApiKeyById(db, owner.organiserId, id))) {
      throw new NotFoundError('API key not found');
    }
    return reply.redirect('/app/settings?done=revoked', 303);
  });
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
