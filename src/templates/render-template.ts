/**
 * Validation and rendering of organiser templates: Liquid merge fields inside Markdown. Rendering is
 * pure (template + data in, strings out), so it is tested without mail or a database.
 */
import { randomBytes } from 'node:crypto';
import { Output, Tag, type Template } from 'liquidjs';
import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { escapeHtml } from '../web/html.js';
import { joinSoftWraps } from './soft-wraps.js';
import { htmlEngine, MAX_RENDERED, newRenderBudget, OutputLimitError, renderBounded, textEngine } from './liquid-engine.js';
import { MERGE_FIELDS, type MergeData, type MergeField } from './merge-fields.js';

export interface TemplateProblem {
  message: string;
  line?: number;
  column?: number;
}

const KNOWN_FIELDS = new Set<string>(Object.keys(MERGE_FIELDS));
const FORBIDDEN_TAGS = /\{%-?\s*(include|render|layout)\b/;

function locationOf(error: unknown): { line?: number; column?: number } {
  const token = (error as { token?: { getPosition?: () => [number, number] } }).token;
  const position = token?.getPosition?.();
  return position ? { line: position[0], column: position[1] } : {};
}

/** Returns what is wrong with a template (syntax, an unknown field or filter), or undefined if nothing. */
export function validateTemplate(source: string): TemplateProblem | undefined {
  const forbidden = FORBIDDEN_TAGS.exec(source);
  if (forbidden) {
    const before = source.slice(0, forbidden.index).split('\n');
    return {
      message: `the {% ${forbidden[1]} %} tag is not allowed in letters`,
      line: before.length,
      column: before.at(-1)!.length + 1,
    };
  }
  try {
    const analysis = textEngine.parseAndAnalyzeSync(source);
    for (const [, variables] of Object.entries(analysis.globals)) {
      for (const variable of variables) {
        const path = variable.toString();
        if (!KNOWN_FIELDS.has(path)) {
          return {
            message: `unknown merge field "${path}"; use one of ${[...KNOWN_FIELDS].join(', ')}`,
            line: variable.location.row,
            column: variable.location.col,
          };
        }
      }
    }
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message.split(', line:')[0]!.split('\n')[0]! : String(error);
    return { message, ...locationOf(error) };
  }
}

export function describeProblem(problem: TemplateProblem): string {
  const where = problem.line ? ` (line ${problem.line}, column ${problem.column ?? 1})` : '';
  return `${problem.message}${where}`;
}

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'b', 'i', 'u', 'a', 'ul', 'ol', 'li', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'hr', 'code', 'pre'],
  allowedAttributes: { a: ['href', 'title'] },
  allowedSchemes: ['https', 'http', 'mailto'],
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer' }) },
};

/** How letters' Markdown is read everywhere: the HTML of pages and mail, and the PDF's layout (src/letters). */
export const LETTER_MARKDOWN = { gfm: true, breaks: true } as const;

/** Markdown (already merged) to HTML that is safe to show in a page or a mail. */
export function markdownToSafeHtml(markdown: string): string {
  const html = marked.parse(joinSoftWraps(markdown), { ...LETTER_MARKDOWN, async: false });
  return sanitizeHtml(html, SANITIZE_OPTIONS);
}

export interface RenderedLetter {
  subject: string;
  html: string;
  text: string;
}

/**
 * A letter that could not be rendered for some data at run time (a branch the trial render did not
 * enter): what an organiser is told, in words, instead of a 500.
 */
export class LetterRenderError extends Error {
  constructor(
    readonly reason: string,
    readonly part: 'subject' | 'body',
    options?: { cause?: unknown },
  ) {
    super(`The letter's ${part} cannot be rendered: ${reason}`, options);
  }
}

/** Why a render failed, for the organiser: a limit (time, memory, output), or anything else. */
export function describeRenderFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/output limit exceeded/.test(message)) return 'it renders to more text than a letter can hold (a loop?)';
  if (/limit exceeded/.test(message)) return 'it takes too long or too much memory to render (a loop?)';
  return `it cannot be rendered (${message.split(', line:')[0]!.split('\n')[0]!})`;
}

function renderOrExplain<T>(part: 'subject' | 'body', render: () => T): T {
  try {
    return render();
  } catch (error) {
    if (error instanceof LetterRenderError) throw error;
    throw new LetterRenderError(describeRenderFailure(error), part, { cause: error });
  }
}

// ':' and '@' too: GFM would otherwise turn a bare URL or address in a name into a link.
const MARKDOWN_SYNTAX = /[\\`*_{}[\]()#+\-.!|~:@]/g;

/**
 * Merged values are text, not Markdown: a supporter named "[Read this](https://phish.example)" must
 * not become a link. Markdown punctuation is backslash-escaped before the template is rendered to
 * Markdown (HTML characters are escaped by the engine itself).
 */
function escapeMarkdownIn<T>(value: T): T {
  if (typeof value === 'string') return value.replace(MARKDOWN_SYNTAX, (char) => `\\${char}`) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, escapeMarkdownIn(inner)])) as T;
  }
  return value;
}

/**
 * Parses a letter template once and returns a function merging one supporter's data into it:
 * subject, HTML body and plain-text body. A broadcast compiles once per batch, not per recipient.
 */
export function compileLetter(template: { subject: string; body: string }): (data: MergeData) => RenderedLetter {
  return compileAsPlaceholders(template) ?? compileLetterThroughLiquid(template);
}

/** Merges one supporter's data into a letter template: subject, HTML body and plain-text body. */
export function renderLetter(template: { subject: string; body: string }, data: MergeData): RenderedLetter {
  return compileLetter(template)(data);
}

/**
 * The general way, for any template: every recipient's letter goes through Liquid, Markdown and the
 * sanitiser, its three parts within one budget. Throws LetterRenderError when a limit is passed.
 */
export function compileLetterThroughLiquid(template: { subject: string; body: string }): (data: MergeData) => RenderedLetter {
  const subject = textEngine.parse(template.subject);
  const bodyText = textEngine.parse(template.body);
  const bodyHtml = htmlEngine.parse(template.body);
  return (data) => {
    const budget = newRenderBudget();
    return {
      // Subjects are one header line: collapse whatever whitespace a merged value brought.
      subject: renderOrExplain('subject', () => renderBounded(textEngine, subject, data, budget, MAX_RENDERED.subject)).replace(/\s+/g, ' ').trim(),
      html: markdownToSafeHtml(renderOrExplain('body', () => renderBounded(htmlEngine, bodyHtml, escapeMarkdownIn(data), budget, MAX_RENDERED.body))),
      text: renderOrExplain('body', () => renderBounded(textEngine, bodyText, data, budget, MAX_RENDERED.body)).trim(),
    };
  };
}

const FIELD_NAMES = Object.keys(MERGE_FIELDS) as MergeField[];

function fieldValue(data: MergeData, field: MergeField): string {
  let value: unknown = data;
  for (const key of field.split('.')) value = (value as Record<string, unknown>)[key];
  return String(value);
}

/** Whether a parsed template is only text and bare merge fields: no tags, no filters. */
function onlyTextAndFields(templates: Template[]): boolean {
  return templates.every((part) => {
    if (part instanceof Tag) return false;
    if (part instanceof Output) return part.value.filters.length === 0 && FIELD_NAMES.includes(part.token.content.trim() as MergeField);
    return true;
  });
}

/** A compiled text with a hole for each merge field: literal pieces at even, field indexes at odd positions. */
type Pieces = Array<string | number>;

function fill(pieces: Pieces, values: string[]): string {
  let out = '';
  for (const piece of pieces) out += typeof piece === 'number' ? values[piece] : piece;
  return out;
}

/**
 * The fast way, for the common letter whose template is text and bare merge fields: Liquid, Markdown
 * and the sanitiser run once per batch over placeholders, and each recipient only fills the holes
 * with their escaped values, which is the same letter for a fraction of the CPU (see BENCHMARKS.md).
 * Returns undefined when the template needs the general way: tags, filters, or a field whose value
 * would land inside markup (only our own unsubscribe link may, as an href).
 */
function compileAsPlaceholders(template: { subject: string; body: string }): ((data: MergeData) => RenderedLetter) | undefined {
  const subjectTemplate = textEngine.parse(template.subject);
  const bodyTemplate = textEngine.parse(template.body);
  if (!onlyTextAndFields(subjectTemplate) || !onlyTextAndFields(bodyTemplate)) return undefined;

  // Letters and digits only, so Markdown and the sanitiser pass the placeholders through untouched.
  const nonce = randomBytes(6).toString('hex');
  const placeholder = (index: number) => `mf${nonce}x${index}x`;
  const placeholderData = {} as Record<string, unknown>;
  FIELD_NAMES.forEach((field, index) => {
    const keys = field.split('.');
    let node = placeholderData;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys.at(-1)!] = placeholder(index);
  });
  const pattern = new RegExp(`mf${nonce}x(\\d+)x`, 'g');
  const split = (text: string, allowedInMarkup: (field: MergeField) => boolean): Pieces | undefined => {
    const pieces: Pieces = [];
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      const index = Number(match[1]);
      const insideTag = text.lastIndexOf('<', match.index) > text.lastIndexOf('>', match.index);
      if (insideTag && !allowedInMarkup(FIELD_NAMES[index]!)) return undefined;
      pieces.push(text.slice(last, match.index), index);
      last = match.index + match[0].length;
    }
    pieces.push(text.slice(last));
    return pieces;
  };

  // Only text and fields, so it cannot loop; bounded all the same, as every render is.
  const budget = newRenderBudget();
  const bodyMarkdown = renderOrExplain('body', () => renderBounded(textEngine, bodyTemplate, placeholderData, budget, MAX_RENDERED.body));
  const subject = split(renderOrExplain('subject', () => renderBounded(textEngine, subjectTemplate, placeholderData, budget, MAX_RENDERED.subject)), () => true)!;
  const text = split(bodyMarkdown, () => true)!;
  const html = split(markdownToSafeHtml(bodyMarkdown), (field) => field === 'unsubscribe_url');
  if (!html) return undefined;

  return (data) => {
    const values = FIELD_NAMES.map((field) => fieldValue(data, field));
    // As the general way renders them: HTML-escaped, and a line break in a value is a <br>.
    const htmlValues = values.map((value) => escapeHtml(value).replace(/\r?\n/g, '<br />\n'));
    const letter = {
      subject: fill(subject, values).replace(/\s+/g, ' ').trim(),
      html: fill(html, htmlValues),
      text: fill(text, values).trim(),
    };
    // The same caps as Liquid's output, now that each hole holds a real value.
    const tooLong = letter.subject.length > MAX_RENDERED.subject ? 'subject' : letter.text.length > MAX_RENDERED.body ? 'body' : undefined;
    if (tooLong) throw new LetterRenderError(describeRenderFailure(new OutputLimitError(MAX_RENDERED[tooLong])), tooLong);
    return letter;
  };
}
