/**
 * CSV cells that are safe to open in a spreadsheet: RFC 4180 quoting, and a leading apostrophe on
 * anything a spreadsheet would run as a formula (=, +, -, @, tab, CR), the OWASP-recommended defence
 * against CSV injection (a supporter named "=HYPERLINK(…)" must stay text).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | null | undefined): string {
  let text = value ?? '';
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: Array<string | null | undefined>): string {
  return values.map(csvCell).join(',') + '\r\n';
}
