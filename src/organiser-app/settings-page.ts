/**
 * /app/settings: the organiser's people and API keys. Everyone signed in sees them; only owners get
 * the forms that change them (the routes check again: a hidden form is not a permission).
 */
import type { UserRow } from '../db/schema.js';
import type { OrganiserProfile } from '../organisers/organiser-profile.js';
import type { ApiKeySummary } from '../organisers/organiser-queries.js';
import { appPage } from '../web/app-page.js';
import { buttonForm, errorSummary, postForm, selectField, textField, type FieldErrors } from '../web/form-fields.js';
import { html, type SafeHtml } from '../web/html.js';
import type { AppUser } from './app-user.js';
import { PROFILE_FIELDS, profileSection, type ProfileSectionModel } from './profile-settings-page.js';

export type InviteField = 'invite-email' | 'invite-name' | 'invite-role';
export const INVITE_FIELDS: readonly InviteField[] = ['invite-email', 'invite-name', 'invite-role'];

export interface SettingsModel {
  user: AppUser;
  csrfToken: string;
  users: UserRow[];
  keys: ApiKeySummary[];
  profile: OrganiserProfile;
  logoMaxBytes: number;
  notice?: string | undefined;
  /** The profile or logo form, back with what was typed and what is wrong. */
  profileForm?: Pick<ProfileSectionModel, 'values' | 'errors'>;
  invite?: { values: Partial<Record<InviteField, string>>; errors: FieldErrors<InviteField> };
}

const ROLE_OPTIONS = [
  { value: 'editor', label: 'Editor: drafts and edits campaigns' },
  { value: 'owner', label: 'Owner: also publishes, sends and manages people and keys' },
];

const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const dateOf = (date: Date | null) => (date ? `${when.format(date)} UTC` : '—');

function peopleTable(model: SettingsModel): SafeHtml {
  const owner = model.user.role === 'owner';
  return html`<table>
  <caption>People who can sign in</caption>
  <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th>${owner ? html`<th scope="col">Actions</th>` : ''}</tr></thead>
  <tbody>
  ${model.users.map((person) => {
    const self = person.id === model.user.userId;
    return html`<tr>
    <td>${person.name ?? '—'}${self ? ' (you)' : ''}</td>
    <td>${person.email}</td>
    <td>${owner
      ? postForm({
          action: `/app/settings/users/${person.id}/role`,
          csrfToken: model.csrfToken,
          className: 'inline-form role-form',
          body: html`<label class="visually-hidden" for="role-${person.id}">Role of ${person.email}</label>
<select id="role-${person.id}" name="role">${['owner', 'editor'].map(
            (role) => html`<option value="${role}"${role === person.role ? html` selected` : ''}>${role}</option>`,
          )}</select>
<button type="submit" class="secondary">Change<span class="visually-hidden"> role of ${person.email}</span></button>`,
        })
      : person.role}</td>
    ${owner ? html`<td><a href="/app/settings/users/${person.id}/remove">Remove<span class="visually-hidden"> ${person.email}</span></a></td>` : ''}
  </tr>`;
  })}
  </tbody>
</table>`;
}

function inviteForm(model: SettingsModel): SafeHtml {
  const values = model.invite?.values ?? {};
  const errors = model.invite?.errors ?? {};
  return html`<h2 id="invite-heading">Invite someone</h2>
<p>They get an email with a link to sign in.</p>
${postForm({
  action: '/app/settings/users',
  csrfToken: model.csrfToken,
  ownValidation: true,
  id: 'invite',
  body: html`${textField({ name: 'email', id: 'invite-email', type: 'email', label: 'Email address', spellcheck: false, value: values['invite-email'], error: errors['invite-email'] })}
${textField({ name: 'name', id: 'invite-name', label: 'Name (optional)', autocomplete: 'off', value: values['invite-name'], error: errors['invite-name'] })}
${selectField({ name: 'role', id: 'invite-role', label: 'Role', options: ROLE_OPTIONS, value: values['invite-role'] ?? 'editor', error: errors['invite-role'] })}
<button type="submit">Send invitation</button>`,
})}`;
}

function keysTable(model: SettingsModel): SafeHtml {
  const owner = model.user.role === 'owner';
  if (model.keys.length === 0) return html`<p>There are no API keys.</p>`;
  return html`<table>
  <caption>API keys (only their first characters are kept to tell them apart)</caption>
  <thead><tr><th scope="col">Key</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Status</th>${owner ? html`<th scope="col">Actions</th>` : ''}</tr></thead>
  <tbody>
  ${model.keys.map(
    (key) => html`<tr>
    <td><code>${key.keyPrefix}…</code></td>
    <td>${dateOf(key.createdAt)}</td>
    <td>${dateOf(key.lastUsedAt)}</td>
    <td>${key.revokedAt ? `Revoked ${dateOf(key.revokedAt)}` : 'Active'}</td>
    ${owner ? html`<td>${key.revokedAt ? '' : html`<a href="/app/settings/api-keys/${key.id}/revoke">Revoke<span class="visually-hidden"> ${key.keyPrefix}</span></a>`}</td>` : ''}
  </tr>`,
  )}
  </tbody>
</table>`;
}

export function settingsPage(model: SettingsModel): string {
  const owner = model.user.role === 'owner';
  const errors = { ...model.profileForm?.errors, ...model.invite?.errors };
  return appPage({
    title: Object.keys(errors).length > 0 ? 'Error: Settings' : 'Settings',
    user: model.user,
    csrfToken: model.csrfToken,
    nav: 'settings',
    body: html`<h1>Settings</h1>
${errorSummary(errors, [...PROFILE_FIELDS, ...INVITE_FIELDS])}
${model.notice ? html`<p class="notice" role="status">${model.notice}</p>` : ''}
${owner ? '' : html`<p>You are an editor: only an owner can change the profile, invite people, change roles or manage API keys.</p>`}
${profileSection({ profile: model.profile, owner, csrfToken: model.csrfToken, logoMaxBytes: model.logoMaxBytes, ...model.profileForm })}
<h2>People</h2>
${peopleTable(model)}
${owner ? inviteForm(model) : ''}
<h2>API keys</h2>
<p>Integrations use API keys to reach the API (<code>Authorization: Bearer clk_…</code>).</p>
${keysTable(model)}
${owner ? buttonForm('/app/settings/api-keys', model.csrfToken, 'Create an API key', 'secondary') : ''}
<h2>Your account</h2>
<p>Signed in somewhere you should not be? Sign out on every device, this one included.</p>
${buttonForm('/app/sign-out-everywhere', model.csrfToken, 'Sign out everywhere', 'secondary')}`,
  });
}

export function newApiKeyPage(user: AppUser, csrfToken: string, apiKey: string): string {
  return appPage({
    title: 'Your new API key',
    user,
    csrfToken,
    nav: 'settings',
    body: html`<h1>Your new API key</h1>
<p><strong>Copy it now: it is shown only this once.</strong> We keep only a hash of it, so it cannot be shown again.</p>
<p><label for="new-api-key">API key</label>
<input type="text" id="new-api-key" class="secret" readonly value="${apiKey}" spellcheck="false"></p>
<p><a href="/app/settings">Back to settings</a></p>`,
  });
}
