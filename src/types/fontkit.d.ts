// fontkit ships no type declarations; this covers what we call (coverage checks before pdfkit embeds a font).
declare module 'fontkit' {
  export interface Font {
    postscriptName: string;
    hasGlyphForCodePoint(codePoint: number): boolean;
  }
  export interface FontCollection {
    fonts: Font[];
  }
  /** With a PostScript name, the face of that name from a collection (.ttc); null when there is none. */
  export function create(buffer: Buffer, postscriptName?: string): Font | FontCollection | null;
}
