/**
 * Server-rendered public pages: plain HTML forms that work without JavaScript, labelled fields,
 * errors beside their field and summarised at the top (linked, for keyboard and screen reader users).
 * The campaign page itself is campaign-page.ts.
 */
import { html, type SafeHtml } from './html.js';

/** `head`: more of the page's own head (a campaign's preview tags); `layout`: a class for a wider layout. */
export function page(title: string, body: SafeHtml, head?: SafeHtml, layout?: string): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/assets/site.css">
${head ?? ''}
</head>
<body>
<main id="content"${layout ? html` class="${layout}"` : ''}>
${body}
</main>
</body>
</html>`.value;
}

export function messagePage(title: string, paragraphs: Array<string | SafeHtml>): string {
  return page(title, html`<h1>${title}</h1>${paragraphs.map((p) => html`<p>${p}</p>`)}`);
}

export function buttonPage(title: string, intro: Array<string | SafeHtml>, action: string, label: string, extra?: SafeHtml): string {
  return page(
    title,
    html`<h1>${title}</h1>${intro.map((p) => html`<p>${p}</p>`)}
<form method="post" action="${action}">${extra ?? ''}<button type="submit">${label}</button></form>`,
  );
}
