/**
 * `npx tsx bench/profile-summary.ts FILE.cpuprofile [N]`: where a process profiled by `npm run bench
 * -- --profile DIR` spent its CPU: self time by function and by package (or our own file), the N
 * largest of each, as shares of the time the process was not idle.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const [file, top = '25'] = process.argv.slice(2);
if (!file) throw new Error('usage: bench/profile-summary.ts FILE.cpuprofile [N]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));

/** node_modules/<package>, or our own file, or what V8 calls the frame ((garbage collector), (program)). */
function placeOf(url: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage) return inPackage[1]!;
  if (url.startsWith('node:')) return url;
  const ours = /\/(src|workers|bench|dist)\/(.*)$/.exec(url);
  return ours ? `${ours[1]}/${ours[2]}` : url || '(native)';
}

const byFunction = new Map<string, number>();
const byPlace = new Map<string, number>();
let busy = 0;
for (const node of profile.nodes) {
  const ms = selfMs.get(node.id) ?? 0;
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === '(idle)') continue;
  busy += ms;
  const place = placeOf(url);
  const name = `${functionName || '(anonymous)'} ${place}${url ? `:${lineNumber + 1}` : ''}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  byPlace.set(place, (byPlace.get(place) ?? 0) + ms);
}

function print(title: string, totals: Map<string, number>) {
  console.log(`\n${title}`);
  for (const [name, ms] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
    console.log(`${((ms / busy) * 100).toFixed(1).padStart(5)}%  ${Math.round(ms).toString().padStart(7)} ms  ${name}`);
  }
}

console.log(`${file}: ${Math.round(busy)} ms busy`);
print('by package or file', byPlace);
print('by function', byFunction);
