/** The signed-out pages of the organiser app: the sign-in form, "check your inbox", and the link's button. */
import { appMessagePage, appPage } from '../web/app-page.js';
import { errorSummary, postForm, textField, type FieldErrors } from '../web/form-fields.js';
import { html } from '../web/html.js';

export function signInFormPage(csrfToken: string, state: { email?: string; error?: string; notice?: string } = {}): string {
  const errors: FieldErrors<'email'> = state.error ? { email: state.error } : {};
  return appPage({
    title: state.error ? 'Error: Sign in' : 'Sign in',
    user: undefined,
    csrfToken,
    body: html`<h1>Sign in</h1>
${state.notice ? html`<p class="notice" role="status">${state.notice}</p>` : ''}
${errorSummary(errors, ['email'])}
<p>We will email you a link to sign in with. There is no password.</p>
${postForm({
  action: '/app/sign-in',
  csrfToken,
  ownValidation: true,
  body: html`${textField({
    name: 'email',
    type: 'email',
    label: 'Email address',
    autocomplete: 'email',
    spellcheck: false,
    value: state.email,
    error: state.error,
  })}
<button type="submit">Email me a sign-in link</button>`,
})}`,
  });
}

export function checkInboxPage(csrfToken: string): string {
  return appMessagePage({
    title: 'Check your inbox',
    user: undefined,
    csrfToken,
    paragraphs: [
      'If that address belongs to someone who can sign in, we have emailed them a link. It works once, for 15 minutes.',
      'Nothing arrived? Check your spam folder, or ask an owner of your organisation to invite you.',
    ],
  });
}

export function signInButtonPage(csrfToken: string, action: string): string {
  return appPage({
    title: 'Sign in',
    user: undefined,
    csrfToken,
    body: html`<h1>Sign in to Campaign letters</h1>
<p>Press the button to finish signing in on this device.</p>
${postForm({ action, csrfToken, body: html`<button type="submit">Sign in</button>` })}`,
  });
}

export function linkNotValidPage(csrfToken: string): string {
  return appMessagePage({
    title: 'This sign-in link does not work',
    user: undefined,
    csrfToken,
    paragraphs: [
      'It may have been used already, or be more than 15 minutes old.',
      html`<a href="/app/sign-in">Ask for a new sign-in link</a>`,
    ],
  });
}
