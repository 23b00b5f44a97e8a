/**
 * A letter's Markdown read by the same parser, with the same options, as its HTML (marked, see
 * markdownToSafeHtml), into the few things a printed letter has: paragraphs, headings, lists, quotes,
 * and runs of text that are bold, italic or a link. The PDF lays these out; the plain-text mail reads
 * them back as text, so neither ever shows a Markdown marker.
 */
import { marked, type Token, type Tokens } from 'marked';
import { joinSoftWraps } from '../templates/soft-wraps.js';
import { LETTER_MARKDOWN } from '../templates/render-template.js';

export interface TextRun {
  /** May hold "\n": a line break the author typed. */
  text: string;
  bold: boolean;
  italic: boolean;
  href?: string;
}

export type LetterBlock =
  | { kind: 'paragraph'; runs: TextRun[] }
  | { kind: 'heading'; level: number; runs: TextRun[] }
  | { kind: 'list'; ordered: boolean; start: number; items: LetterBlock[][] }
  | { kind: 'quote'; blocks: LetterBlock[] }
  | { kind: 'rule' };

interface Style {
  bold: boolean;
  italic: boolean;
  href?: string;
}

const stripTags = (value: string) => value.replace(/<[^>]*>/g, '');

function inlineRuns(tokens: Token[] | undefined, style: Style): TextRun[] {
  const runs: TextRun[] = [];
  for (const token of tokens ?? []) {
    switch (token.type) {
      case 'strong':
        runs.push(...inlineRuns((token as Tokens.Strong).tokens, { ...style, bold: true }));
        break;
      case 'em':
        runs.push(...inlineRuns((token as Tokens.Em).tokens, { ...style, italic: true }));
        break;
      case 'del':
        runs.push(...inlineRuns((token as Tokens.Del).tokens, style));
        break;
      case 'link':
        runs.push(...inlineRuns((token as Tokens.Link).tokens, { ...style, href: (token as Tokens.Link).href }));
        break;
      case 'br':
        runs.push({ text: '\n', ...style });
        break;
      case 'html':
        runs.push({ text: stripTags((token as Tokens.HTML).text), ...style });
        break;
      case 'image':
        runs.push({ text: (token as Tokens.Image).text, ...style });
        break;
      case 'text':
        if ((token as Tokens.Text).tokens) runs.push(...inlineRuns((token as Tokens.Text).tokens, style));
        else runs.push({ text: (token as Tokens.Text).text, ...style });
        break;
      default:
        // codespan, escape and anything newer: their text, as written.
        runs.push({ text: 'text' in token && typeof token.text === 'string' ? token.text : token.raw, ...style });
    }
  }
  return runs.filter((run) => run.text.length > 0);
}

const PLAIN: Style = { bold: false, italic: false };

function blocksOf(tokens: Token[]): LetterBlock[] {
  const blocks: LetterBlock[] = [];
  for (const token of tokens) {
    switch (token.type) {
      case 'paragraph':
        blocks.push({ kind: 'paragraph', runs: inlineRuns((token as Tokens.Paragraph).tokens, PLAIN) });
        break;
      case 'text':
        // A tight list item's text: a paragraph without the spacing.
        blocks.push({ kind: 'paragraph', runs: inlineRuns((token as Tokens.Text).tokens ?? [token], PLAIN) });
        break;
      case 'heading':
        blocks.push({ kind: 'heading', level: (token as Tokens.Heading).depth, runs: inlineRuns((token as Tokens.Heading).tokens, PLAIN) });
        break;
      case 'list': {
        const list = token as Tokens.List;
        blocks.push({
          kind: 'list',
          ordered: list.ordered,
          start: typeof list.start === 'number' ? list.start : 1,
          items: list.items.map((item) => blocksOf(item.tokens)),
        });
        break;
      }
      case 'blockquote':
        blocks.push({ kind: 'quote', blocks: blocksOf((token as Tokens.Blockquote).tokens) });
        break;
      case 'hr':
        blocks.push({ kind: 'rule' });
        break;
      case 'code':
        blocks.push({ kind: 'paragraph', runs: [{ text: (token as Tokens.Code).text, ...PLAIN }] });
        break;
      case 'html': {
        const text = stripTags((token as Tokens.HTML).text).trim();
        if (text) blocks.push({ kind: 'paragraph', runs: [{ text, ...PLAIN }] });
        break;
      }
      case 'table': {
        const table = token as Tokens.Table;
        for (const row of [table.header, ...table.rows]) {
          blocks.push({ kind: 'paragraph', runs: row.flatMap((cell, i) => [...(i ? [{ text: ' | ', ...PLAIN }] : []), ...inlineRuns(cell.tokens, PLAIN)]) });
        }
        break;
      }
      default:
        break; // space, def: nothing to print
    }
  }
  return blocks;
}

/** The letter's Markdown (already merged) as blocks to lay out. */
export function letterBlocks(markdown: string): LetterBlock[] {
  return blocksOf(marked.lexer(joinSoftWraps(markdown), { ...LETTER_MARKDOWN }));
}

const runsText = (runs: TextRun[]) => runs.map((run) => run.text).join('');

function blockText(block: LetterBlock, indent: string): string {
  switch (block.kind) {
    case 'paragraph':
      return indent + runsText(block.runs).replace(/\n/g, `\n${indent}`);
    case 'heading':
      return indent + runsText(block.runs).toUpperCase();
    case 'rule':
      return `${indent}----`;
    case 'quote':
      return block.blocks.map((inner) => blockText(inner, `${indent}> `)).join('\n\n');
    case 'list':
      return block.items
        .map((item, i) => {
          const marker = block.ordered ? `${block.start + i}. ` : '• ';
          const body = item.map((inner) => blockText(inner, ' '.repeat(marker.length) + indent)).join('\n');
          return indent + marker + body.slice(marker.length + indent.length);
        })
        .join('\n');
  }
}

/** The letter as plain text for the mail's text alternative: paragraphs, "•" and numbered lists, no markers. */
export function blocksToText(blocks: LetterBlock[]): string {
  return blocks.map((block) => blockText(block, '')).join('\n\n');
}
