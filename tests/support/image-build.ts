/**
 * What the Docker image holds, built without Docker (no engine runs in CI): the Dockerfile itself is
 * read and its instructions replayed in a temporary directory, one folder per stage, so the test of
 * the production shape follows the Dockerfile wherever it goes. An instruction this replay does not
 * know stops the build with its name rather than being skipped, so the two cannot quietly part.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

export interface ImageFilesystem {
  /** The final stage's working directory, as a host path (where the image's processes run). */
  workdir: string;
  /** The final stage's ENV. */
  env: Record<string, string>;
  /** Each RUN executed, in order, with its duration: what the build did, for a failure message. */
  steps: string[];
}

interface Stage {
  name: string;
  root: string;
  workdir: string;
  env: Record<string, string>;
}

/** Logical lines: comments and blank lines dropped, backslash continuations joined. */
function readInstructions(text: string): { keyword: string; args: string }[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (!pending && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    lines.push(pending + line);
    pending = '';
  }
  return lines.map((line) => {
    const match = /^\s*(\w+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`Dockerfile line not understood: ${line}`);
    return { keyword: match[1]!.toUpperCase(), args: match[2]!.trim() };
  });
}

function runShell(command: string, cwd: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`RUN ${command} exited with ${code}:\n${output}`))));
  });
}

/**
 * Replays `dockerfile` with `context` as the build context, under `into`. RUN commands get only
 * PATH and HOME from the host (plus `buildEnv`), as a fresh container would; `apt-get` lines are
 * left to the machine (the host provides what they install, or goes without: fonts, here).
 */
export async function buildImageFilesystem(options: {
  dockerfile: string;
  context: string;
  into: string;
  buildEnv?: Record<string, string>;
}): Promise<ImageFilesystem> {
  const stages: Stage[] = [];
  const steps: string[] = [];
  const hostPath = (stage: Stage, containerPath: string) =>
    join(stage.root, containerPath.startsWith('/') ? containerPath : join(stage.workdir, containerPath));

  for (const { keyword, args } of readInstructions(await readFile(options.dockerfile, 'utf8'))) {
    const stage = stages.at(-1);
    if (keyword === 'FROM') {
      const [, name] = /\bAS\s+(\S+)$/i.exec(args) ?? [];
      const root = join(options.into, `stage-${stages.length}`);
      await mkdir(root, { recursive: true });
      stages.push({ name: name ?? String(stages.length), root, workdir: '/', env: {} });
      continue;
    }
    if (!stage) throw new Error(`Dockerfile: ${keyword} before FROM`);
    switch (keyword) {
      case 'WORKDIR':
        stage.workdir = args.startsWith('/') ? args : join(stage.workdir, args);
        await mkdir(hostPath(stage, stage.workdir), { recursive: true });
        break;
      case 'ENV': {
        // `ENV KEY=value …` or the older `ENV KEY value`.
        const legacy = /^(\w+)\s+(.*)$/.exec(args);
        const pairs = /^\w+=/.test(args)
          ? [...args.matchAll(/(\w+)=("[^"]*"|\S*)/g)].map((m) => [m[1]!, m[2]!.replace(/^"|"$/g, '')] as const)
          : legacy ? [[legacy[1]!, legacy[2]!] as const] : [];
        for (const [key, value] of pairs) stage.env[key] = value;
        break;
      }
      case 'COPY': {
        const words = args.split(/\s+/);
        const flags = words.filter((w) => w.startsWith('--'));
        const paths = words.filter((w) => !w.startsWith('--'));
        const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
        const unknown = flags.filter((f) => !/^--(from|chown|chmod)=/.test(f));
        if (unknown.length > 0 || paths.length < 2) throw new Error(`Dockerfile: COPY ${args} is not replayed by ${import.meta.url}`);
        const dest = paths.pop()!;
        const source = from === undefined ? undefined : stages.find((s) => s.name === from);
        if (from !== undefined && !source) throw new Error(`Dockerfile: COPY --from=${from}: no such stage`);
        const into = paths.length > 1 || dest.endsWith('/');
        for (const path of paths) {
          const src = source ? hostPath(source, path) : join(options.context, path);
          // As Docker does: a directory's contents go into dest; a file goes into dest/ or becomes dest.
          const isDirectory = (await stat(src)).isDirectory();
          const target = hostPath(stage, !isDirectory && into ? join(dest, basename(path)) : dest);
          await cp(src, target, { recursive: true, verbatimSymlinks: true });
        }
        break;
      }
      case 'RUN': {
        if (/^apt-get\b/.test(args)) break;
        const started = Date.now();
        const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...options.buildEnv, ...stage.env };
        await runShell(args, hostPath(stage, stage.workdir), env);
        steps.push(`RUN ${args} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        break;
      }
      // Metadata only: who runs, what is exposed, the default command (docker-compose.yml gives each its own).
      case 'USER':
      case 'EXPOSE':
      case 'CMD':
      case 'LABEL':
        break;
      default:
        throw new Error(`Dockerfile: ${keyword} is not replayed by ${import.meta.url}; teach it before relying on it`);
    }
  }
  const last = stages.at(-1);
  if (!last) throw new Error('Dockerfile: no FROM');
  return { workdir: hostPath(last, last.workdir), env: { ...last.env }, steps };
}
