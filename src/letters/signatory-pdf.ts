/**
 * The PDF that goes with a bundled letter: the letter itself, then every signatory with postcode and
 * date. Uses DejaVu Sans when the system has it (accents, Greek, Cyrillic, Hebrew…); PDF's built-in
 * Helvetica otherwise, which covers Western European names only.
 */
import { existsSync } from 'node:fs';

const UNICODE_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

export interface Signatory {
  name: string;
  postcode: string | null;
  signedAt: Date;
}

export async function buildSignatoryPdf(input: {
  title: string;
  targetName: string;
  letterText: string;
  signatories: Signatory[];
  formatDate(date: Date): string;
}): Promise<Buffer> {
  // Loaded on first use: pdfkit and its fonts are tens of megabytes a broadcast-only worker never needs.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: input.title } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  if (existsSync(UNICODE_FONT)) doc.font(UNICODE_FONT);

  doc.fontSize(16).text(input.title);
  doc.moveDown().fontSize(11).text(`To: ${input.targetName}`);
  doc.moveDown().text(input.letterText, { align: 'left' });
  doc.addPage().fontSize(14).text(`Signatories (${input.signatories.length})`);
  doc.moveDown(0.5).fontSize(10);
  for (const signatory of input.signatories) {
    const postcode = signatory.postcode ? `, ${signatory.postcode}` : '';
    doc.text(`${signatory.name}${postcode} — signed ${input.formatDate(signatory.signedAt)}`);
  }
  doc.end();
  return done;
}
