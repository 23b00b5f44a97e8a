/**
 * CSV cells that are safe to open in a spreadsheet, whatever its locale. Every cell is quoted
 * (RFC 4180), so a `;` or `,` inside one never splits it, whichever of the two the spreadsheet takes
 * as separator; and anything a spreadsheet would run as a formula (a leading =, +, -, @, tab, CR or
 * LF) gets a leading apostrophe, the OWASP-recommended defence against CSV injection (a supporter
 * named "=HYPERLINK(…)" must stay text). Quoting alone is not enough: spreadsheets evaluate a quoted
 * "=…" too, and a `;` locale reads a whole comma-separated row as one cell, which then starts with
 * the row's first cell — neutralised like every other.
 */
const FORMULA_START = /^[=+\-@\t\r\n]/;

export function csvCell(value: string | null | undefined): string {
  let text = value ?? '';
  if (FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvRow(values: Array<string | null | undefined>): string {
  return values.map(csvCell).join(',') + '\r\n';
}
