/**
 * The raw SMTP limit: the pipeline's own first message, byte for byte, written to every address by
 * raw-smtp-sender.ts with PIPELINING: no composing at all, so what it reaches is the socket's and the
 * sink's limit on this machine, the figure the fan-out is measured against (fanoutVsRaw).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sink } from './counting-sink.js';
import { prefix } from './options.js';
import { runSenders, type SenderFigures } from './sender-processes.js';

export async function rawSmtpLimit(sink: Sink): Promise<SenderFigures> {
  const messageFile = join(tmpdir(), `${prefix}-raw.eml`);
  writeFileSync(messageFile, sink.sample!);
  try {
    return await runSenders('bench/raw-smtp-sender.ts', { RAW_MESSAGE_FILE: messageFile }, sink);
  } finally {
    rmSync(messageFile, { force: true });
  }
}
