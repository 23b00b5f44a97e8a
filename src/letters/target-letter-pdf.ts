/**
 * The letter to the target as a printed letter (A4 PDF): the organisation's letterhead, the date, the
 * target's name and address, the letter set from its Markdown, the signature block, then every
 * signatory (numbered, name and postcode, in the order they signed) and "Page 2 of 7" on each page.
 */
import type { LetterBlock } from './letter-markdown.js';
import { PdfFonts, writeRuns, writeText, type Pdf } from './pdf-text.js';
import type { LetterSheet } from './letter-sheet.js';

const INK = '#1d1d1b';
const MUTED = '#5b5b57';
const ACCENT = '#14508c';
const RULE = '#c9c9c3';
const MARGIN = { top: 56, bottom: 72, left: 68, right: 68 };
const BODY_SIZE = 11;

function contentWidth(doc: Pdf): number {
  return doc.page.width - MARGIN.left - MARGIN.right;
}

function rule(doc: Pdf, y: number, color = RULE): void {
  doc.save().moveTo(MARGIN.left, y).lineTo(doc.page.width - MARGIN.right, y).lineWidth(0.6).strokeColor(color).stroke().restore();
}

function letterhead(doc: Pdf, fonts: PdfFonts, sheet: LetterSheet): void {
  const top = MARGIN.top;
  const width = contentWidth(doc);
  let logoBottom = top;
  let textLeft = MARGIN.left;
  if (sheet.letterhead.logo) {
    // openImage is pdfkit's (undeclared in its types): the size, to scale the logo into its box.
    const image = (doc as Pdf & { openImage(src: Buffer): { width: number; height: number } }).openImage(sheet.letterhead.logo);
    const scale = Math.min(150 / image.width, 60 / image.height, 1);
    doc.image(image as unknown as Buffer, MARGIN.left, top, { width: image.width * scale, height: image.height * scale });
    logoBottom = top + image.height * scale;
    textLeft = MARGIN.left + image.width * scale + 24;
  }
  const textWidth = MARGIN.left + width - textLeft;
  const align = sheet.letterhead.logo ? 'right' : 'left';
  writeText(fonts, sheet.letterhead.name, { x: textLeft, y: top, width: textWidth, size: 15, bold: true, color: ACCENT, align });
  doc.moveDown(0.2);
  for (const line of sheet.letterhead.addressLines) writeText(fonts, line, { x: textLeft, width: textWidth, size: 9, color: MUTED, align });
  if (sheet.letterhead.website) {
    writeRuns(fonts, [{ text: sheet.letterhead.website.replace(/^https?:\/\//, '').replace(/\/$/, ''), bold: false, italic: false, href: sheet.letterhead.website }], {
      x: textLeft,
      width: textWidth,
      size: 9,
      color: ACCENT,
      align,
    });
  }
  const bottom = Math.max(logoBottom, doc.y) + 14;
  rule(doc, bottom, ACCENT);
  doc.x = MARGIN.left;
  doc.y = bottom + 26;
}

function addressBlock(doc: Pdf, fonts: PdfFonts, sheet: LetterSheet): void {
  const width = contentWidth(doc);
  writeText(fonts, sheet.recipient.name, { x: MARGIN.left, width, size: BODY_SIZE, lineGap: 2 });
  for (const line of sheet.recipient.addressLines) writeText(fonts, line, { x: MARGIN.left, width, size: BODY_SIZE, lineGap: 2 });
  doc.moveDown(1.5);
  writeText(fonts, sheet.date, { x: MARGIN.left, width, size: BODY_SIZE });
  doc.moveDown(1.5);
  writeText(fonts, sheet.subject, { x: MARGIN.left, width, size: BODY_SIZE + 1, bold: true });
  doc.moveDown(1);
}

function writeBlocks(doc: Pdf, fonts: PdfFonts, blocks: LetterBlock[], left: number, width: number): void {
  for (const block of blocks) {
    switch (block.kind) {
      case 'paragraph':
        writeRuns(fonts, block.runs, { x: left, width, size: BODY_SIZE, lineGap: 3 });
        doc.moveDown(0.6);
        break;
      case 'heading':
        doc.moveDown(0.3);
        writeRuns(fonts, block.runs.map((run) => ({ ...run, bold: true })), { x: left, width, size: block.level <= 2 ? 13 : BODY_SIZE + 0.5, lineGap: 2 });
        doc.moveDown(0.4);
        break;
      case 'rule':
        rule(doc, doc.y + 4);
        doc.moveDown(1);
        break;
      case 'quote': {
        const top = doc.y;
        writeBlocks(doc, fonts, block.blocks, left + 14, width - 14);
        doc.save().moveTo(left + 3, top).lineTo(left + 3, doc.y - 8).lineWidth(2).strokeColor(RULE).stroke().restore();
        break;
      }
      case 'list':
        block.items.forEach((item, index) => {
          const marker = block.ordered ? `${block.start + index}.` : '•';
          if (doc.y + 30 > doc.page.height - MARGIN.bottom) doc.addPage();
          const top = doc.y;
          writeText(fonts, marker, { x: left, y: top, width: 18, size: BODY_SIZE, align: block.ordered ? 'right' : 'left', color: block.ordered ? INK : ACCENT });
          doc.y = top;
          writeBlocks(doc, fonts, item, left + 24, width - 24);
        });
        doc.moveDown(0.2);
        break;
    }
  }
}

function signatureBlock(doc: Pdf, fonts: PdfFonts, sheet: LetterSheet): void {
  const width = contentWidth(doc);
  if (doc.y + 80 > doc.page.height - MARGIN.bottom) doc.addPage();
  doc.moveDown(0.8);
  const [first, ...rest] = sheet.signature;
  if (first) writeText(fonts, first, { x: MARGIN.left, width, size: BODY_SIZE, bold: true });
  for (const line of rest) writeText(fonts, line, { x: MARGIN.left, width, size: BODY_SIZE - 1, color: MUTED });
}

const COLUMNS = { number: 34, gap: 12, postcode: 90, date: 96 };

function signatoryHeader(doc: Pdf, fonts: PdfFonts, continued: boolean, sheet: LetterSheet): void {
  const width = contentWidth(doc);
  const count = sheet.signatories.length;
  writeText(fonts, continued ? 'Signatories (continued)' : 'Signatories', { x: MARGIN.left, y: MARGIN.top, width, size: 15, bold: true, color: ACCENT });
  if (!continued) {
    const people = count === 1 ? '1 person signed' : `${count.toLocaleString('en-GB')} people signed`;
    writeText(fonts, `${people} this letter, listed in the order they signed.`, { x: MARGIN.left, width, size: 9.5, color: MUTED });
    if (sheet.removedNote) writeText(fonts, sheet.removedNote, { x: MARGIN.left, width, size: 9.5, color: MUTED });
  }
  doc.moveDown(0.8);
  signatoryRow(doc, fonts, ['No.', 'Name', 'Postcode', 'Signed'], true);
  rule(doc, doc.y - 3, INK);
  doc.y += 3;
}

function signatoryRow(doc: Pdf, fonts: PdfFonts, cells: [string, string, string, string], header = false): void {
  const width = contentWidth(doc);
  const nameWidth = width - COLUMNS.number - COLUMNS.postcode - COLUMNS.date - 3 * COLUMNS.gap;
  const y = doc.y;
  const size = header ? 9 : 9.5;
  const color = header ? MUTED : INK;
  let x = MARGIN.left;
  const cell = (text: string, cellWidth: number, align: 'left' | 'right') => {
    if (text) writeText(fonts, text, { x, y, width: cellWidth, size, color, align, bold: header, oneLine: true });
    x += cellWidth + COLUMNS.gap;
  };
  cell(cells[0], COLUMNS.number, 'right');
  cell(cells[1], nameWidth, 'left');
  cell(cells[2], COLUMNS.postcode, 'left');
  cell(cells[3], COLUMNS.date, 'left');
  doc.x = MARGIN.left;
  doc.y = y + 17;
}

function signatoryList(doc: Pdf, fonts: PdfFonts, sheet: LetterSheet): void {
  doc.addPage();
  signatoryHeader(doc, fonts, false, sheet);
  sheet.signatories.forEach((signatory, index) => {
    if (doc.y + 17 > doc.page.height - MARGIN.bottom) {
      doc.addPage();
      signatoryHeader(doc, fonts, true, sheet);
    }
    if (index % 2 === 1) doc.save().rect(MARGIN.left - 4, doc.y - 3, contentWidth(doc) + 8, 17).fill('#f3f3ef').restore();
    signatoryRow(doc, fonts, [`${index + 1}`, signatory.name, signatory.postcode ?? '', sheet.formatDate(signatory.signedAt)]);
  });
}

function pageNumbers(doc: Pdf, fonts: PdfFonts, sheet: LetterSheet): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing inside the bottom margin must not start a new page.
    doc.page.margins.bottom = 0;
    const y = doc.page.height - MARGIN.bottom + 28;
    rule(doc, y - 8);
    const width = contentWidth(doc);
    writeText(fonts, sheet.letterhead.name, { x: MARGIN.left, y, width: width / 2, size: 8, color: MUTED, oneLine: true });
    writeText(fonts, `Page ${i - range.start + 1} of ${range.count}`, { x: MARGIN.left + width / 2, y, width: width / 2, size: 8, color: MUTED, align: 'right' });
  }
}

export async function buildTargetLetterPdf(sheet: LetterSheet, fontDir: string): Promise<Buffer> {
  // Loaded on first use: pdfkit and its fonts are tens of megabytes a broadcast-only worker never needs.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    lang: 'en-GB',
    info: { Title: sheet.subject, Author: sheet.letterhead.name, Subject: `Letter to ${sheet.recipient.name}` },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const fonts = new PdfFonts(doc, fontDir);
  letterhead(doc, fonts, sheet);
  addressBlock(doc, fonts, sheet);
  writeBlocks(doc, fonts, sheet.body, MARGIN.left, contentWidth(doc));
  signatureBlock(doc, fonts, sheet);
  if (sheet.signatories.length > 0) signatoryList(doc, fonts, sheet);
  pageNumbers(doc, fonts, sheet);
  doc.end();
  return done;
}
