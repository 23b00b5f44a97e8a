/**
 * Runs a ready-made message through one kind of sender process (ceiling-sender.ts, raw-smtp-sender.ts)
 * to every address, in as many processes as the benchmark runs workers, each with the workers' pool
 * size, so a limit uses the same cores and connections as the pipeline it is compared with.
 */
import type { ChildProcess } from 'node:child_process';
import type { Sink } from './counting-sink.js';
import { SUPPORTERS, WORKERS } from './options.js';
import { totalCpuMs } from './process-usage.js';
import { serviceEnv, spawnTsx, stop } from './services.js';

export interface SenderFigures {
  msgsPerSec: number;
  averageBytes: number;
  senderCpuMsPerMessage: number;
}

export async function runSenders(script: string, extraEnv: Record<string, string>, sink: Sink): Promise<SenderFigures> {
  sink.reset();
  const share = Math.ceil(SUPPORTERS / WORKERS);
  const senders = Array.from({ length: WORKERS }, (_, i) =>
    spawnTsx(
      script,
      {
        ...serviceEnv(sink.url),
        ...extraEnv,
        CEILING_FIRST: String(i * share),
        CEILING_COUNT: String(Math.max(0, Math.min(share, SUPPORTERS - i * share))),
      },
      'ipc',
    ),
  );
  const said = (child: ChildProcess, what: string) =>
    new Promise<void>((resolve, reject) => {
      child.on('message', (message) => message === what && resolve());
      child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before '${what}'`)));
    });
  try {
    await Promise.all(senders.map((child) => said(child, 'ready')));
    const start = Date.now();
    const cpuBefore = totalCpuMs(senders);
    for (const child of senders) child.send('go');
    await Promise.all(senders.map((child) => said(child, 'done')));
    return {
      msgsPerSec: Math.round(SUPPORTERS / ((Date.now() - start) / 1000)),
      averageBytes: sink.averageBytes,
      senderCpuMsPerMessage: Math.round(((totalCpuMs(senders) - cpuBefore) / SUPPORTERS) * 1000) / 1000,
    };
  } finally {
    await stop(senders);
  }
}
