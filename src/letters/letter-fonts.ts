/**
 * The fonts the letter to the target is set in, and the per-character fallback that keeps every
 * supporter's name on it: Noto Serif (Latin, Greek, Cyrillic) first, then the Noto face of the
 * name's script (Arabic, Hebrew, Devanagari and other Indic scripts, Thai, Armenian, Georgian,
 * Ethiopic, Chinese, Japanese and Korean), then DejaVu Sans for symbols. A name in a script no font
 * has is still printed, as empty boxes, rather than silently dropped.
 *
 * Files are read from LETTER_FONT_DIR (Debian's /usr/share/fonts: packages fonts-noto-core,
 * fonts-noto-cjk and fonts-dejavu-core), each only when a letter first needs it, and kept for the
 * life of the process: the CJK collection is 26 MB, and most letters never need it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { create, type Font } from 'fontkit';
import { FALLBACKS, MAIN, type FaceFile, type FontStyle } from './letter-font-files.js';

/** A face ready for pdfkit: its name in the document, the bytes to embed, and fontkit's view for coverage. */
export interface LoadedFace {
  key: string;
  buffer: Buffer;
  postscriptName: string | undefined;
  font: Font;
}

const loaded = new Map<string, LoadedFace | null>();

function load(dir: string, face: FaceFile): LoadedFace | undefined {
  const path = join(dir, face.file);
  const key = `${path}#${face.postscriptName ?? ''}`;
  let entry = loaded.get(key);
  if (entry === undefined) {
    entry = null;
    if (existsSync(path)) {
      const buffer = readFileSync(path);
      const font = create(buffer, face.postscriptName);
      if (font && 'hasGlyphForCodePoint' in font) entry = { key, buffer, postscriptName: face.postscriptName, font };
    }
    loaded.set(key, entry);
  }
  return entry ?? undefined;
}

export interface FontRun {
  text: string;
  /** undefined: no usable font at all; pdfkit's built-in Helvetica is used. */
  face: LoadedFace | undefined;
}

const NEUTRAL = /^[\p{Z}\p{P}\p{N}\p{S}\s]+$/u;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

function covers(face: LoadedFace, cluster: string): boolean {
  for (const char of cluster) {
    const codePoint = char.codePointAt(0)!;
    // Joiners and variation selectors are fine to lack: they only steer shaping.
    if (codePoint === 0x200c || codePoint === 0x200d || (codePoint >= 0xfe00 && codePoint <= 0xfe0f)) continue;
    if (!face.font.hasGlyphForCodePoint(codePoint)) return false;
  }
  return true;
}

/**
 * Splits text into runs each set in one face: the main face of the style where it has the glyphs,
 * else the first fallback that has the whole grapheme (so a Devanagari vowel sign stays with its
 * consonant). Spaces, digits and punctuation stay in the run they are in, so a name in Arabic script
 * is shaped as one piece.
 */
export function fontRuns(dir: string, text: string, style: FontStyle): FontRun[] {
  const main = load(dir, MAIN[style]) ?? load(dir, MAIN.regular);
  const runs: FontRun[] = [];
  for (const { segment } of graphemes.segment(text)) {
    const current = runs.at(-1);
    let face: LoadedFace | undefined;
    if (current?.face && NEUTRAL.test(segment) && covers(current.face, segment)) face = current.face;
    else if (main && covers(main, segment)) face = main;
    else {
      for (const fallback of FALLBACKS) {
        const candidate = load(dir, fallback);
        if (candidate && covers(candidate, segment)) {
          face = candidate;
          break;
        }
      }
      face ??= main;
    }
    if (current && current.face === face) current.text += segment;
    else runs.push({ text: segment, face });
  }
  return runs;
}
