/**
 * The one Liquid engine for organiser-written templates. Liquid is interpreted, never compiled to
 * JavaScript, and configured so a template can neither read files nor run away with the process:
 * every render goes through renderBounded, under a time, memory and output budget.
 */
import { CaptureTag, Context, Drop, Liquid, toValueSync, type Emitter, type FS, type Template } from 'liquidjs';

/**
 * What one letter (its subject, text and HTML together) may take to render at run time: a letter
 * needs a few milliseconds. A template that does not fit fails with a limit error instead of
 * holding the process. The trial render at save time has half of it (assert-valid-templates.ts), so
 * what was saved has room to spare under load.
 */
export const LETTER_RENDER_MS = 500;
/** Characters that filters, ranges and captures may allocate during one letter. */
const RENDER_MEMORY = 10_000_000;
/** The most a rendered part may be: a subject is one line, a body a letter of a few pages. */
export const MAX_RENDERED = { subject: 1_000, body: 500_000 } as const;

/** The time and memory one letter's renders share: its deadline starts when it is made. */
export type RenderBudget = Pick<Context, 'renderLimit' | 'memoryLimit'>;

export function newRenderBudget(milliseconds = LETTER_RENDER_MS): RenderBudget {
  const { renderLimit, memoryLimit } = new Context({}, undefined, { renderLimit: milliseconds, memoryLimit: RENDER_MEMORY });
  return { renderLimit, memoryLimit };
}

export class OutputLimitError extends Error {
  constructor(readonly maxChars: number) {
    super(`output limit exceeded (${maxChars} characters)`);
  }
}

/** As Liquid turns a value into text (an array is its items run together). */
function toText(value: unknown): string {
  const plain = value instanceof Drop ? value.valueOf() : value;
  if (typeof plain === 'string') return plain;
  if (plain === null || plain === undefined) return '';
  if (Array.isArray(plain)) return plain.map(toText).join('');
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- as Liquid's own output: numbers, booleans, and "[object Object]"
  return String(plain);
}

/** Liquid's own emitter, but it stops the render the moment the output passes its cap. */
class CappedEmitter implements Emitter {
  buffer = '';
  constructor(private readonly maxChars: number) {}
  write(html: unknown): void {
    const text = toText(html);
    if (this.buffer.length + text.length > this.maxChars) throw new OutputLimitError(this.maxChars);
    this.buffer += text;
  }
}

/**
 * A capture builds its text outside the output (so outside its cap), and a loop can make it huge in
 * a few milliseconds: its length is charged to the memory budget, as filters' results are.
 */
class BoundedCaptureTag extends CaptureTag {
  override *render(context: Context): Generator<unknown, void, string> {
    yield* super.render(context);
    const captured: unknown = (context.bottom() as Record<string, unknown>)[this.variable];
    context.memoryLimit.use(typeof captured === 'string' ? captured.length : 0);
  }
}

/**
 * Renders a parsed template within a budget (shared by a letter's parts) and an output cap. Throws
 * Liquid's RenderError ("… limit exceeded") when a limit is passed; see describeRenderFailure.
 */
export function renderBounded(liquid: Liquid, template: Template[], data: object, budget: RenderBudget, maxChars: number): string {
  const context = new Context(data, liquid.options, { sync: true }, { ...budget, liquid });
  const emitter = new CappedEmitter(maxChars);
  toValueSync(liquid.renderer.renderTemplates(template, context, emitter));
  return emitter.buffer;
}

/** Organiser templates must not pull in files ({% include %}, {% render %}, {% layout %}). */
const noFileSystem: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => {
    throw new Error('templates cannot include files');
  },
  readFileSync: () => {
    throw new Error('templates cannot include files');
  },
  resolve: (_root, file) => file,
  contains: async () => false,
  sep: '/',
  dirname: () => '',
};

function engine(outputEscape: 'escape' | undefined): Liquid {
  const liquid = new Liquid({
    fs: noFileSystem,
    root: [],
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    outputEscape,
    // Bounds against hostile templates: parse size, render time and memory. renderBounded sets the
    // time and memory of each render; these are the fallback for any render that bypasses it.
    parseLimit: 200_000,
    renderLimit: LETTER_RENDER_MS,
    memoryLimit: RENDER_MEMORY,
  });
  liquid.registerTag('capture', BoundedCaptureTag);
  return liquid;
}

/** For plain text (subjects, the text part): values go in as they are. */
export const textEngine = engine(undefined);
/** For the HTML part: every value is HTML-escaped on output, so a supporter's name cannot inject markup. */
export const htmlEngine = engine('escape');
