/**
 * Starts one of the service's entry points as `npm start`, `npm run worker` or `npm run inbound` do,
 * and waits for it to exit: its exit code and what it printed on stderr. The timeout turns a process
 * that never exits into a failure.
 */
import { spawnSync } from 'node:child_process';
import { testEnv } from './harness.js';

export function startEntryPoint(entry: string, overrides: Record<string, string>) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, ...testEnv(overrides) },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: run.status, stderr: run.stderr.trim() };
}
