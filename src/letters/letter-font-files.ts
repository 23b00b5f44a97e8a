/**
 * Which font files the letter to the target is set in (letter-fonts.ts loads them), and the check
 * at start-up that they are installed. Apart from fontkit, so a process that only checks does not
 * load it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type FontStyle = 'regular' | 'bold' | 'italic' | 'boldItalic';

export interface FaceFile {
  file: string;
  package: string;
  /** The face inside a collection (.ttc), which pdfkit and fontkit need by PostScript name. */
  postscriptName?: string;
}

const noto = (name: string): FaceFile => ({ file: `truetype/noto/${name}.ttf`, package: 'fonts-noto-core' });

export const MAIN: Record<FontStyle, FaceFile> = {
  regular: noto('NotoSerif-Regular'),
  bold: noto('NotoSerif-Bold'),
  italic: noto('NotoSerif-Italic'),
  boldItalic: noto('NotoSerif-BoldItalic'),
};

/** In the order they are tried for a character the main face lacks. */
export const FALLBACKS: FaceFile[] = [
  noto('NotoNaskhArabic-Regular'),
  noto('NotoSerifHebrew-Regular'),
  noto('NotoSerifDevanagari-Regular'),
  noto('NotoSerifBengali-Regular'),
  noto('NotoSerifGujarati-Regular'),
  noto('NotoSerifGurmukhi-Regular'),
  noto('NotoSerifTamil-Regular'),
  noto('NotoSerifSinhala-Regular'),
  noto('NotoSerifThai-Regular'),
  noto('NotoSerifArmenian-Regular'),
  noto('NotoSerifGeorgian-Regular'),
  noto('NotoSerifEthiopic-Regular'),
  { file: 'opentype/noto/NotoSerifCJK-Regular.ttc', package: 'fonts-noto-cjk', postscriptName: 'NotoSerifCJKsc-Regular' },
  { file: 'truetype/dejavu/DejaVuSans.ttf', package: 'fonts-dejavu-core' },
];

/** Font files the letter needs that are not there, with the Debian package that provides each. */
export function missingLetterFonts(dir: string): Array<{ path: string; package: string }> {
  return [...Object.values(MAIN), ...FALLBACKS]
    .filter((face) => !existsSync(join(dir, face.file)))
    .map((face) => ({ path: join(dir, face.file), package: face.package }));
}

/**
 * Said once at start-up, so an operator learns of a missing package before a letter goes out with a
 * name printed as empty boxes (the letter still goes: the target must get it).
 */
export function warnOfMissingLetterFonts(dir: string, log: { error(details: object, message: string): void }): void {
  const missing = missingLetterFonts(dir);
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((font) => font.package))].join(' ');
  log.error(
    { missing: missing.map((font) => font.path) },
    `letter fonts missing under LETTER_FONT_DIR=${dir}: install them (apt-get install ${packages}) or point LETTER_FONT_DIR at them; until then names in their scripts print as empty boxes in the letter to the target`,
  );
}
