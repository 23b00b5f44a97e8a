/** The frame every one-to-one mail shares: a white card on a light page, a footer, a button. */
import { html, type SafeHtml } from '../web/html.js';

export function mailLayout(title: string, body: SafeHtml, footer: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body style="margin:0;padding:24px;background:#f6f6f4;font-family:Georgia,'Times New Roman',serif;color:#1d1d1b;line-height:1.5">
<div style="max-width:640px;margin:0 auto;background:#fff;padding:32px;border-radius:6px">
${body}
<hr style="border:0;border-top:1px solid #ddd;margin:32px 0 16px">
<div style="font-family:Arial,sans-serif;font-size:13px;color:#555">${footer}</div>
</div></body></html>`.value;
}

export function mailButton(url: string, label: string): SafeHtml {
  return html`<p style="margin:24px 0"><a href="${url}" style="display:inline-block;background:#14508c;color:#fff;padding:12px 20px;border-radius:4px;text-decoration:none;font-family:Arial,sans-serif">${label}</a></p>`;
}
