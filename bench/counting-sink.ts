/** An SMTP sink that accepts everything and counts, recording when the first message arrived. */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export async function startSink() {
  let accepted = 0;
  let bytes = 0;
  let firstAt = 0;
  let sample: Buffer | undefined;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] | undefined = sample ? undefined : [];
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        chunks?.push(chunk);
      });
      stream.on('end', () => {
        accepted += 1;
        if (firstAt === 0) firstAt = Date.now();
        if (chunks && !sample) sample = Buffer.concat(chunks);
        callback();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    reset() {
      accepted = 0;
      bytes = 0;
      firstAt = 0;
    },
    get accepted() {
      return accepted;
    },
    /** Average size of the messages accepted since the last reset. */
    get averageBytes() {
      return accepted === 0 ? 0 : Math.round(bytes / accepted);
    },
    /** The first message the sink ever accepted, raw. */
    get sample() {
      return sample;
    },
    get firstAt() {
      return firstAt;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type Sink = Awaited<ReturnType<typeof startSink>>;
