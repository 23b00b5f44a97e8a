/**
 * The ceiling: the pipeline's own first message, parsed back and sent again to every address
 * straight from nodemailer's pooled transport (ceiling-sender.ts), in as many processes and
 * connections as the workers use, with no database, queue or rendering.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import type { Sink } from './counting-sink.js';
import { prefix, SUPPORTERS, WORKERS } from './options.js';
import { totalCpuMs } from './process-usage.js';
import { serviceEnv, spawnTsx, stop } from './services.js';

export async function ceiling(sink: Sink): Promise<{ msgsPerSec: number; averageBytes: number; senderCpuMsPerMessage: number }> {
  const parsed = await PostalMime.parse(sink.sample!);
  const messageFile = join(tmpdir(), `${prefix}-ceiling.json`);
  writeFileSync(
    messageFile,
    JSON.stringify({
      from: { name: parsed.from?.name ?? '', address: parsed.from?.address ?? 'campaigns@example.org' },
      subject: parsed.subject,
      text: parsed.text,
      html: parsed.html,
      unsubscribeUrl: /<([^>]+)>/.exec(parsed.headers.find((h) => h.key === 'list-unsubscribe')?.value ?? '')?.[1] ?? '',
    }),
  );
  sink.reset();
  const share = Math.ceil(SUPPORTERS / WORKERS);
  const senders = Array.from({ length: WORKERS }, (_, i) =>
    spawnTsx(
      'bench/ceiling-sender.ts',
      {
        ...serviceEnv(sink.url),
        CEILING_MESSAGE_FILE: messageFile,
        CEILING_FIRST: String(i * share),
        CEILING_COUNT: String(Math.max(0, Math.min(share, SUPPORTERS - i * share))),
      },
      'ipc',
    ),
  );
  const said = (child: ChildProcess, what: string) =>
    new Promise<void>((resolve, reject) => {
      child.on('message', (message) => message === what && resolve());
      child.once('exit', (code) => reject(new Error(`a ceiling sender exited with ${code} before '${what}'`)));
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
    rmSync(messageFile, { force: true });
  }
}
