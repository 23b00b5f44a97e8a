/**
 * Writing styled text into a pdfkit document one font run at a time, so each character is set in a
 * font that has it (see letter-fonts.ts). pdfkit's `continued` text keeps one line wrapper across the
 * runs, so a paragraph that switches fonts mid-sentence still wraps as one paragraph.
 */
import type { FontStyle } from './letter-font-files.js';
import { fontRuns, type LoadedFace } from './letter-fonts.js';
import type { TextRun } from './letter-markdown.js';

export type Pdf = PDFKit.PDFDocument;

export interface TextBox {
  x?: number;
  y?: number;
  width: number;
  size: number;
  color?: string;
  align?: 'left' | 'right' | 'center' | 'justify';
  lineGap?: number;
  /** Stay on one line, cut with an ellipsis: table cells. */
  oneLine?: boolean;
}

export const styleOf = (run: { bold?: boolean; italic?: boolean }): FontStyle =>
  run.bold ? (run.italic ? 'boldItalic' : 'bold') : run.italic ? 'italic' : 'regular';

/** Registers faces with this document on first use; the document embeds only the glyphs it used. */
export class PdfFonts {
  private readonly registered = new Set<string>();
  constructor(
    private readonly doc: Pdf,
    readonly dir: string,
  ) {}

  use(face: LoadedFace | undefined): Pdf {
    if (!face) return this.doc.font('Helvetica');
    if (!this.registered.has(face.key)) {
      // The font fontkit already parsed for this process (letter-fonts.ts), not its bytes: pdfkit
      // would parse them again for every document, about half a second for the 26 MB CJK collection.
      // pdfkit takes a fontkit font as a source (it shares our fontkit); its types only know bytes.
      this.doc.registerFont(face.key, face.font as unknown as Buffer);
      this.registered.add(face.key);
    }
    return this.doc.font(face.key);
  }
}

const RIGHT_TO_LEFT = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]/;
const SHORT_RUN = 60;

/**
 * pdfkit lays out each space-separated word on its own and places the words left to right, so a
 * name in Arabic or Hebrew script would come out with its words in the wrong order. Joined by
 * no-break spaces, a short run (a name, a postcode) is shaped as one piece, which fontkit orders
 * right to left. Long runs keep their spaces so they can still wrap.
 */
function keepRightToLeftTogether(text: string): string {
  return text.length <= SHORT_RUN && RIGHT_TO_LEFT.test(text) ? text.replace(/ /g, '\u00a0') : text;
}

/** Writes runs of styled text as one paragraph in the box; the document's y ends below it. */
export function writeRuns(fonts: PdfFonts, runs: TextRun[], box: TextBox): void {
  const doc = fonts.use(undefined);
  const pieces = runs.flatMap((run) =>
    fontRuns(fonts.dir, run.text, styleOf(run)).map((piece) => ({ ...piece, text: keepRightToLeftTogether(piece.text), href: run.href })),
  );
  if (pieces.length === 0) pieces.push({ text: ' ', face: undefined, href: undefined });
  doc.fillColor(box.color ?? '#1d1d1b');
  pieces.forEach((piece, index) => {
    const options: PDFKit.Mixins.TextOptions = {
      width: box.width,
      align: box.align ?? 'left',
      lineGap: box.lineGap ?? 0,
      continued: index < pieces.length - 1,
      link: piece.href ?? null,
      underline: Boolean(piece.href),
      ...(box.oneLine ? { lineBreak: false, ellipsis: true, height: box.size * 1.4 } : {}),
    };
    fonts.use(piece.face).fontSize(box.size);
    if (index === 0 && box.x !== undefined) doc.text(piece.text, box.x, box.y ?? doc.y, options);
    else doc.text(piece.text, options);
  });
}

/** Plain text (a name, an address line) in the style given, with the same per-character fallback. */
export function writeText(fonts: PdfFonts, text: string, box: TextBox & { bold?: boolean; italic?: boolean }): void {
  writeRuns(fonts, [{ text, bold: box.bold ?? false, italic: box.italic ?? false }], box);
}
