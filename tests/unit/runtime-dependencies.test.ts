import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compiledSourceFiles, describeMisplacedImports, findRuntimeImports } from '../support/runtime-imports.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('runtime dependencies', () => {
  it('every package that src/ and workers/ load at run time is in dependencies, not devDependencies', () => {
    // tsconfig.build.json decides what `npm run build` compiles into the image.
    const files = compiledSourceFiles(`${ROOT}tsconfig.build.json`);
    expect(files.some((f) => f.endsWith('src/inbound/smtp-listener.ts'))).toBe(true);
    expect(files.some((f) => f.endsWith('src/inbound/process-inbound.ts'))).toBe(true);
    const imports = files.flatMap((file) => findRuntimeImports(relative(ROOT, file), readFileSync(file, 'utf8')));
    expect(imports.map((i) => i.packageName)).toEqual(expect.arrayContaining(['fastify', 'postal-mime', 'smtp-server', 'pdfkit']));
    expect(describeMisplacedImports(imports, manifest)).toEqual([]);
  });

  it('the check tells a loaded package from an erased type import, and names file, line and package', () => {
    const source = [
      "import type { Email } from 'postal-mime';",
      "import { type SMTPServerOptions } from 'smtp-server';",
      "import { readFile } from 'node:fs';",
      "import { helper } from './helper.js';",
      "export type { Thing } from 'type-only-package';",
      "export { parse } from 'yaml';",
      "const mod = await import('@scope/lazy/sub/path');",
      "const legacy = require('fs');",
      "type Lazy = typeof import('typed-only');",
    ].join('\n');
    const imports = findRuntimeImports('src/example.ts', source);
    expect(imports.map((i) => `${i.line} ${i.packageName}`)).toEqual(['2 smtp-server', '6 yaml', '7 @scope/lazy']);
    expect(describeMisplacedImports(imports, { dependencies: { yaml: '^2' }, devDependencies: { 'smtp-server': '^3' } })).toEqual([
      "src/example.ts:2 imports 'smtp-server', but smtp-server is only a devDependency (pruned from the image)",
      "src/example.ts:7 imports '@scope/lazy/sub/path', but @scope/lazy is not declared in package.json",
    ]);
  });
});
