/**
 * The one Liquid engine for organiser-written templates. Liquid is interpreted, never compiled to
 * JavaScript, and configured so a template can neither read files nor run away with the process.
 */
import { Liquid, type FS } from 'liquidjs';

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
  return new Liquid({
    fs: noFileSystem,
    root: [],
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    outputEscape,
    // Bounds against hostile templates: parse size, render time and memory.
    parseLimit: 200_000,
    renderLimit: 1_000,
    memoryLimit: 10_000_000,
  });
}

/** For plain text (subjects, the text part): values go in as they are. */
export const textEngine = engine(undefined);
/** For the HTML part: every value is HTML-escaped on output, so a supporter's name cannot inject markup. */
export const htmlEngine = engine('escape');
