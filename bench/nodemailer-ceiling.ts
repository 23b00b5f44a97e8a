/**
 * The nodemailer ceiling: the pipeline's own first message, parsed back and sent again to every
 * address straight from nodemailer's pooled transport (ceiling-sender.ts), with no database, queue
 * or rendering: what the pipeline would do if composing and sending were all it did.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import type { Sink } from './counting-sink.js';
import { prefix } from './options.js';
import { runSenders, type SenderFigures } from './sender-processes.js';

export async function ceiling(sink: Sink): Promise<SenderFigures> {
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
  try {
    return await runSenders('bench/ceiling-sender.ts', { CEILING_MESSAGE_FILE: messageFile }, sink);
  } finally {
    rmSync(messageFile, { force: true });
  }
}
