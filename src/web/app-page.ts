/**
 * The organiser web app's page layout: a skip link, a header with the main navigation and the
 * signed-in user, then the page. Signed out (the sign-in pages) the header has no navigation.
 * Pages are complete without script; /app/assets/*.js may only enhance them.
 */
import { buttonForm, postForm } from './form-fields.js';
import { html, type SafeHtml } from './html.js';

/** Who is signed in, as far as the layout needs to know. */
export interface PageUser {
  email: string;
  name: string | null;
}

export type AppNavItem = 'campaigns' | 'suppressions' | 'settings';

export interface AppPageOptions {
  title: string;
  user: PageUser | undefined;
  csrfToken: string;
  body: SafeHtml;
  /** The navigation item this page belongs to (marked aria-current). */
  nav?: AppNavItem | undefined;
  /** Scripts under /app/assets that enhance this page (loaded deferred). */
  scripts?: readonly string[];
}

const NAV: ReadonlyArray<{ item: AppNavItem; href: string; label: string }> = [
  { item: 'campaigns', href: '/app/campaigns', label: 'Campaigns' },
  { item: 'suppressions', href: '/app/suppressions', label: 'Suppressions' },
  { item: 'settings', href: '/app/settings', label: 'Settings' },
];

function navigation(options: AppPageOptions): SafeHtml | '' {
  if (!options.user) return '';
  return html`<nav class="app-nav" aria-label="Main">
  <ul>
    ${NAV.map(
      ({ item, href, label }) => html`<li><a href="${href}"${options.nav === item ? html` aria-current="page"` : ''}>${label}</a></li>`,
    )}
    <li>${buttonForm('/app/sign-out', options.csrfToken, 'Sign out', 'link')}</li>
  </ul>
</nav>
<p class="app-user">Signed in as ${options.user.name ? html`${options.user.name} (${options.user.email})` : options.user.email}</p>`;
}

export function appPage(options: AppPageOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} – Campaign letters</title>
<link rel="stylesheet" href="/assets/site.css">
${(options.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body class="app">
<a class="skip-link" href="#content">Skip to main content</a>
<header class="app-header">
  <div class="app-header-inner">
    <a class="app-brand" href="/app">Campaign letters</a>
    ${navigation(options)}
  </div>
</header>
<main id="content" tabindex="-1">
${options.body}
</main>
</body>
</html>`.value;
}

/** A page with a heading and a few paragraphs (check your inbox, not found, not allowed…). */
export function appMessagePage(options: Omit<AppPageOptions, 'body'> & { paragraphs: Array<string | SafeHtml> }): string {
  return appPage({ ...options, body: html`<h1>${options.title}</h1>${options.paragraphs.map((p) => html`<p>${p}</p>`)}` });
}

export interface ConfirmationOptions extends Omit<AppPageOptions, 'body'> {
  /** What will happen, said plainly (e.g. "Jane Doe will no longer be able to sign in"). */
  question: Array<string | SafeHtml>;
  action: string;
  confirmLabel: string;
  cancelHref: string;
  danger?: boolean;
  /** Extra hidden fields the action needs. */
  fields?: SafeHtml;
}

/**
 * "Are you sure?" as a page of its own: the GET shows it, only its POST acts. Works without script,
 * and a link followed by accident (or by a mail scanner) changes nothing.
 */
export function confirmationPage(options: ConfirmationOptions): string {
  return appPage({
    ...options,
    body: html`<h1>${options.title}</h1>
${options.question.map((p) => html`<p>${p}</p>`)}
${postForm({
  action: options.action,
  csrfToken: options.csrfToken,
  className: 'confirm-form',
  body: html`${options.fields ?? ''}<button type="submit"${options.danger ? html` class="danger"` : ''}>${options.confirmLabel}</button>
<a class="cancel" href="${options.cancelHref}">Cancel</a>`,
})}`,
  });
}
