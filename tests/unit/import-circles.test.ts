import madge from 'madge';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('imports', () => {
  // The same check as `npm run check:circular`, so CI fails on a circle.
  it('no module of the service, the bench or the scripts imports itself through others', async () => {
    const graph = await madge(['src', 'workers', 'bench', 'scripts'].map((dir) => `${ROOT}${dir}`), {
      baseDir: ROOT,
      fileExtensions: ['ts'],
      tsConfig: `${ROOT}tsconfig.json`,
    });
    // Every file was read and its relative imports resolved: an import madge cannot follow would hide a circle.
    expect(Object.keys(graph.obj())).toContain('workers/index.ts');
    expect(graph.obj()['workers/index.ts']).toContain('workers/start-workers.ts');
    expect(graph.circular()).toEqual([]);
  }, 60_000);
});
