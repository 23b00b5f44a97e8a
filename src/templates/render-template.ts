/**
 * Validation and rendering of organiser templates: Liquid merge fields inside Markdown. Rendering is
 * pure (template + data in, strings out), so it is tested without mail or a database.
 */
import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { htmlEngine, textEngine } from './liquid-engine.js';
import { MERGE_FIELDS, type MergeData } from './merge-fields.js';

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

/** Markdown (already merged) to HTML that is safe to show in a page or a mail. */
export function markdownToSafeHtml(markdown: string): string {
  const html = marked.parse(markdown, { async: false, gfm: true, breaks: true });
  return sanitizeHtml(html, SANITIZE_OPTIONS);
}

export interface RenderedLetter {
  subject: string;
  html: string;
  text: string;
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
  const subject = textEngine.parse(template.subject);
  const bodyText = textEngine.parse(template.body);
  const bodyHtml = htmlEngine.parse(template.body);
  return (data) => ({
    // Subjects are one header line: collapse whatever whitespace a merged value brought.
    subject: (textEngine.renderSync(subject, data) as string).replace(/\s+/g, ' ').trim(),
    html: markdownToSafeHtml(htmlEngine.renderSync(bodyHtml, escapeMarkdownIn(data)) as string),
    text: (textEngine.renderSync(bodyText, data) as string).trim(),
  });
}

/** Merges one supporter's data into a letter template: subject, HTML body and plain-text body. */
export function renderLetter(template: { subject: string; body: string }, data: MergeData): RenderedLetter {
  return compileLetter(template)(data);
}
