/** What a child process has used, read from Linux's /proc: peak memory and CPU time. */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export function peakRssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round(kb / 102.4) / 10;
  } catch {
    return 0;
  }
}

/** The fields of /proc/PID/stat after the command name: [0] is field 3 (state), [1] the parent's pid. */
function statFields(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  } catch {
    return undefined;
  }
}

// Linux reports CPU time in 1/100 s: utime and stime, then the same for reaped children.
const TICK_MS = 10;
const ownCpuMs = (fields: string[]) => (Number(fields[11]) + Number(fields[12])) * TICK_MS;
const reapedChildrenCpuMs = (fields: string[]) => (Number(fields[13]) + Number(fields[14])) * TICK_MS;

/** CPU time (user + system) a process has used so far, in ms. */
function cpuMs(pid: number): number {
  const fields = statFields(pid);
  return fields ? ownCpuMs(fields) : 0;
}

export const totalCpuMs = (children: ChildProcess[]) => children.reduce((sum, child) => sum + cpuMs(child.pid!), 0);

/**
 * CPU time the whole Postgres cluster has used so far, in ms: the postmaster, its live backends
 * and every child it has reaped (autovacuum workers, connections that closed). Undefined when
 * Postgres does not run on this machine. Unlike active_time this counts no waiting: not for
 * commits to reach disk, for locks, or for a core while the workers hold both.
 */
export function postgresClusterCpuMs(postmasterPid: number): number | undefined {
  const postmaster = statFields(postmasterPid);
  if (!postmaster) return undefined;
  let total = ownCpuMs(postmaster) + reapedChildrenCpuMs(postmaster);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields && Number(fields[1]) === postmasterPid) total += ownCpuMs(fields);
  }
  return total;
}

/** The postmaster of the backend with this pid: its parent. */
export function postmasterOf(backendPid: number): number | undefined {
  const fields = statFields(backendPid);
  return fields ? Number(fields[1]) : undefined;
}
