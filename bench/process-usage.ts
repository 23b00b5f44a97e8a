/** What a child process has used, read from Linux's /proc: peak memory and CPU time. */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function peakRssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round(kb / 102.4) / 10;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) a process has used so far, in ms; Linux reports it in 1/100 s. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

export const totalCpuMs = (children: ChildProcess[]) => children.reduce((sum, child) => sum + cpuMs(child.pid!), 0);
