/**
 * The letter to the target as a mail: the same letter as the PDF (letterhead, address block, date,
 * subject, the letter, signature, signatories), laid out with tables and inline styles because that
 * is all mail clients reliably honour, and a plain-text alternative that reads as a letter.
 * `letterMailHtml` and `letterMailText` lay out any letter sheet under a short note to the target;
 * individual-letter-mail.ts uses them for each supporter's own letter.
 */
import { html, trustedHtml, type SafeHtml } from '../web/html.js';
import { blocksToText } from './letter-markdown.js';
import type { LetterSheet } from './letter-sheet.js';

/** More than this and the mail points to the attached PDF instead of listing every name. */
export const SIGNATORIES_IN_MAIL = 100;

const SERIF = "Georgia,'Times New Roman',serif";
const SANS = 'Arial,Helvetica,sans-serif';
const ACCENT = '#14508c';
const MUTED = '#5b5b57';

const bareWebsite = (url: string) => url.replace(/^https?:\/\//, '').replace(/\/$/, '');

function coveringNote(sheet: LetterSheet): string {
  const count = sheet.signatories.length;
  const signed = count === 1 ? 'signed by 1 supporter' : `signed by ${count.toLocaleString('en-GB')} supporters`;
  return `The letter below, “${sheet.subject}”, is ${signed} of ${sheet.sender}. The printed letter with the list of signatories is attached (PDF, and the list as CSV). Replying to this email reaches the campaign.`;
}

function signatoryLine(sheet: LetterSheet, index: number): string {
  const signatory = sheet.signatories[index]!;
  return `${signatory.name}${signatory.postcode ? `, ${signatory.postcode}` : ''} (signed ${sheet.formatDate(signatory.signedAt)})`;
}

export function targetLetterText(sheet: LetterSheet): string {
  return letterMailText(sheet, coveringNote(sheet));
}

export function targetLetterHtml(sheet: LetterSheet, logoUrl: string | null): string {
  return letterMailHtml(sheet, logoUrl, coveringNote(sheet));
}

export function letterMailText(sheet: LetterSheet, note: string): string {
  const head = [sheet.letterhead.name, ...sheet.letterhead.addressLines, ...(sheet.letterhead.website ? [bareWebsite(sheet.letterhead.website)] : [])];
  const shown = Math.min(sheet.signatories.length, SIGNATORIES_IN_MAIL);
  const list = sheet.signatories.slice(0, shown).map((_, i) => `${i + 1}. ${signatoryLine(sheet, i)}`);
  const more = sheet.signatories.length > shown ? [`… and ${sheet.signatories.length - shown} more: every name is in the attached PDF.`] : [];
  return [
    note,
    '',
    '────────────────────────────────────────',
    '',
    head.join('\n'),
    '',
    [sheet.recipient.name, ...sheet.recipient.addressLines].join('\n'),
    '',
    sheet.date,
    '',
    sheet.subject,
    '',
    blocksToText(sheet.body),
    '',
    sheet.signature.join('\n'),
    ...(list.length > 0 ? ['', '', `SIGNATORIES (${sheet.signatories.length})`, '', ...list, ...more] : []),
  ].join('\n');
}

function letterheadHtml(sheet: LetterSheet, logoUrl: string | null): SafeHtml {
  const { letterhead } = sheet;
  const details = html`<div style="font-family:${SANS};font-size:18px;font-weight:bold;color:${ACCENT}">${letterhead.name}</div>
<div style="font-family:${SANS};font-size:12px;line-height:1.5;color:${MUTED};margin-top:4px">${letterhead.addressLines.map((line, i) => html`${i ? html`<br>` : ''}${line}`)}${
    letterhead.website
      ? html`${letterhead.addressLines.length ? html`<br>` : ''}<a href="${letterhead.website}" style="color:${ACCENT};text-decoration:none">${bareWebsite(letterhead.website)}</a>`
      : ''
  }</div>`;
  const logo = logoUrl ? html`<td valign="top" style="padding:0 16px 0 0"><img src="${logoUrl}" alt="${letterhead.name}" height="56" style="display:block;height:56px;width:auto;border:0"></td>` : '';
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;border-bottom:2px solid ${ACCENT}">
<tr>${logo}<td valign="top" align="${logoUrl ? 'right' : 'left'}" style="padding:0 0 16px 0;text-align:${logoUrl ? 'right' : 'left'}">${details}</td></tr></table>`;
}

function signatoriesHtml(sheet: LetterSheet): SafeHtml | '' {
  if (sheet.signatories.length === 0) return '';
  const shown = Math.min(sheet.signatories.length, SIGNATORIES_IN_MAIL);
  const rows = sheet.signatories.slice(0, shown).map(
    (signatory, i) => html`<tr style="background:${i % 2 ? '#f6f6f2' : '#ffffff'}">
<td style="padding:4px 8px;text-align:right;color:${MUTED};width:36px">${i + 1}</td><td style="padding:4px 8px">${signatory.name}</td>
<td style="padding:4px 8px;color:${MUTED}">${signatory.postcode ?? ''}</td><td style="padding:4px 8px;color:${MUTED};white-space:nowrap">${sheet.formatDate(signatory.signedAt)}</td></tr>`,
  );
  const more = sheet.signatories.length > shown ? html`<p style="font-size:13px;color:${MUTED}">… and ${sheet.signatories.length - shown} more: every name is in the attached PDF.</p>` : '';
  return html`<h2 style="font-family:${SANS};font-size:16px;color:${ACCENT};margin:40px 0 8px;padding-top:16px;border-top:1px solid #ddd">Signatories (${sheet.signatories.length.toLocaleString('en-GB')})</h2>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;font-family:${SANS};font-size:13px">
<tr><th align="right" style="padding:4px 8px;color:${MUTED};font-weight:normal">No.</th><th align="left" style="padding:4px 8px;color:${MUTED};font-weight:normal">Name</th><th align="left" style="padding:4px 8px;color:${MUTED};font-weight:normal">Postcode</th><th align="left" style="padding:4px 8px;color:${MUTED};font-weight:normal">Signed</th></tr>
${rows}</table>${more}`;
}

export function letterMailHtml(sheet: LetterSheet, logoUrl: string | null, note: string): string {
  const [signer, ...signatureRest] = sheet.signature;
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${sheet.subject}</title></head>
<body style="margin:0;padding:24px 12px;background:#eeede8;color:#1d1d1b">
<p style="max-width:680px;margin:0 auto 16px;font-family:${SANS};font-size:13px;line-height:1.5;color:${MUTED}">${note}</p>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse"><tr><td align="center">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:680px;border-collapse:collapse;background:#ffffff;border:1px solid #dcdbd4;text-align:left">
<tr><td style="padding:40px 48px 48px;font-family:${SERIF};font-size:16px;line-height:1.6">
${letterheadHtml(sheet, logoUrl)}
<p style="margin:32px 0 0">${[sheet.recipient.name, ...sheet.recipient.addressLines].map((line, i) => html`${i ? html`<br>` : ''}${line}`)}</p>
<p style="margin:24px 0 0">${sheet.date}</p>
<p style="margin:24px 0 16px;font-weight:bold">${sheet.subject}</p>
<div>${trustedHtml(sheet.bodyHtml)}</div>
<p style="margin:24px 0 0"><strong>${signer ?? ''}</strong>${signatureRest.map((line) => html`<br><span style="color:${MUTED};font-size:14px">${line}</span>`)}</p>
${signatoriesHtml(sheet)}
</td></tr></table>
</td></tr></table>
</body></html>`.value;
}
