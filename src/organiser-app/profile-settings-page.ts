/**
 * The organisation's profile on /app/settings: name, website, postal address and logo, which head
 * the letter to the target, the campaign page and the foot of supporters' mail. Owners get the
 * forms; editors see what is set.
 */
import type { OrganiserProfile } from '../organisers/organiser-profile.js';
import { logoPath } from '../organisers/logo-url.js';
import { buttonForm, fileField, postForm, textArea, textField, type FieldErrors } from '../web/form-fields.js';
import { html, type SafeHtml } from '../web/html.js';

export type ProfileField = 'profile-name' | 'profile-website' | 'profile-postalAddress' | 'logo';
/** In the order the fields appear, for the error summary. */
export const PROFILE_FIELDS: readonly ProfileField[] = ['profile-name', 'profile-website', 'profile-postalAddress', 'logo'];

export interface ProfileSectionModel {
  profile: OrganiserProfile;
  owner: boolean;
  csrfToken: string;
  logoMaxBytes: number;
  /** What was typed, when the form came back with errors. */
  values?: Partial<Record<ProfileField, string>> | undefined;
  errors?: FieldErrors<ProfileField> | undefined;
}

function logoPreview(profile: OrganiserProfile): SafeHtml {
  if (!profile.logo) return html`<p class="logo-preview">No logo yet.</p>`;
  const kb = Math.max(1, Math.round(profile.logo.bytes / 1024));
  return html`<figure class="logo-preview">
  <img src="${logoPath(profile.id, profile.logo.sha256)}" alt="Your current logo" height="64">
  <figcaption>Current logo (${profile.logo.contentType === 'image/png' ? 'PNG' : 'JPEG'}, ${kb} KB)</figcaption>
</figure>`;
}

function readOnlyProfile(profile: OrganiserProfile): SafeHtml {
  return html`<dl class="profile">
  <dt>Organisation name</dt><dd>${profile.name}</dd>
  <dt>Website</dt><dd>${profile.website ?? '—'}</dd>
  <dt>Postal address</dt><dd class="address">${profile.postalAddress ?? '—'}</dd>
</dl>
${logoPreview(profile)}`;
}

function profileForms(model: ProfileSectionModel): SafeHtml {
  const { profile } = model;
  const values = model.values ?? {};
  const errors = model.errors ?? {};
  const typed = (field: ProfileField, saved: string | null) => (model.values ? (values[field] ?? '') : (saved ?? ''));
  return html`${postForm({
    action: '/app/settings/profile',
    csrfToken: model.csrfToken,
    ownValidation: true,
    id: 'profile-form',
    body: html`${textField({ name: 'name', id: 'profile-name', label: 'Organisation name', autocomplete: 'organization', value: typed('profile-name', profile.name), error: errors['profile-name'] })}
${textField({ name: 'website', id: 'profile-website', type: 'url', label: 'Website (optional)', hint: 'Starting with https://', spellcheck: false, value: typed('profile-website', profile.website), error: errors['profile-website'] })}
${textArea({ name: 'postalAddress', id: 'profile-postalAddress', label: 'Postal address (optional)', hint: 'As on your letterhead, one line per line (at most 8).', rows: 4, value: typed('profile-postalAddress', profile.postalAddress), error: errors['profile-postalAddress'] })}
<button type="submit">Save profile</button>`,
  })}
<h3>Logo</h3>
${logoPreview(profile)}
${postForm({
  action: '/app/settings/logo',
  csrfToken: model.csrfToken,
  multipart: true,
  id: 'logo-form',
  body: html`${fileField({
    name: 'logo',
    label: profile.logo ? 'Replace the logo' : 'Upload a logo',
    hint: `A PNG or JPEG image, at most ${Math.floor(model.logoMaxBytes / 1024)} KB and 5000 × 5000 pixels.`,
    accept: 'image/png,image/jpeg',
    error: errors.logo,
  })}
<button type="submit" class="secondary">Upload logo</button>`,
})}
${profile.logo ? buttonForm('/app/settings/logo/remove', model.csrfToken, 'Remove the logo', 'secondary') : ''}`;
}

export function profileSection(model: ProfileSectionModel): SafeHtml {
  return html`<h2 id="profile">Organisation profile</h2>
<p>Your organisation’s name, website, address and logo head the letter to the target and the campaign page, and end every mail to supporters.</p>
${model.owner ? profileForms(model) : readOnlyProfile(model.profile)}`;
}
