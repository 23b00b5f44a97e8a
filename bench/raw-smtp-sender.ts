/**
 * One process of the raw SMTP limit: a prebuilt message written to the sink over plain sockets with
 * PIPELINING (RFC 2920), so each message costs one round trip: the end of one message's data goes
 * out in the same write as the next message's MAIL, RCPT and DATA. No composing, no database, no
 * queue: what is left is the socket and the sink, the most any sender could get from this machine.
 *
 * Same IPC as ceiling-sender.ts: says 'ready', waits for 'go', sends its share, says 'done'.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

const message = dotStuffed(readFileSync(process.env.RAW_MESSAGE_FILE!));
const sender = process.env.RAW_ENVELOPE_FROM ?? 'campaigns@example.org';
const first = Number(process.env.CEILING_FIRST);
const count = Number(process.env.CEILING_COUNT);
const connections = Number(process.env.SMTP_POOL_SIZE);
const sink = new URL(process.env.SMTP_URL!);

/** The message as it travels in DATA: lines starting with a dot doubled, CRLF endings, then the lone dot. */
function dotStuffed(raw: Buffer): Buffer {
  const text = raw.toString('latin1').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  return Buffer.from(`${text.endsWith('\r\n') ? text : `${text}\r\n`}.\r\n`, 'latin1');
}

/** Reads whole SMTP replies (the last line of a multi-line reply has a space after its code) in order. */
class ReplyReader {
  private buffered = '';
  private readonly replies: string[] = [];
  private readonly waiting: Array<(reply: string) => void> = [];

  constructor(socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffered += chunk;
      let end: number;
      while ((end = this.buffered.indexOf('\r\n')) >= 0) {
        const line = this.buffered.slice(0, end);
        this.buffered = this.buffered.slice(end + 2);
        if (line.charAt(3) !== '-') this.deliver(line);
      }
    });
  }

  private deliver(reply: string) {
    const next = this.waiting.shift();
    if (next) next(reply);
    else this.replies.push(reply);
  }

  /** The next reply, which must have the expected code: the limit is only meaningful if every message was accepted. */
  async expect(code: string): Promise<void> {
    const reply = this.replies.shift() ?? (await new Promise<string>((resolve) => this.waiting.push(resolve)));
    if (!reply.startsWith(code)) throw new Error(`expected ${code}, the sink said: ${reply}`);
  }
}

async function openSession(): Promise<{ socket: Socket; replies: ReplyReader }> {
  const socket = connect(Number(sink.port), sink.hostname);
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const replies = new ReplyReader(socket);
  await replies.expect('220');
  socket.write('EHLO bench.example.org\r\n');
  await replies.expect('250');
  return { socket, replies };
}

function envelope(n: number): string {
  return `MAIL FROM:<${sender}>\r\nRCPT TO:<bench-${n}@example.org>\r\nDATA\r\n`;
}

async function sendOverOneConnection(take: () => number | undefined): Promise<void> {
  const { socket, replies } = await openSession();
  let n = take();
  if (n !== undefined) socket.write(envelope(n));
  while (n !== undefined) {
    await replies.expect('250');
    await replies.expect('250');
    await replies.expect('354');
    const following = take();
    socket.write(following === undefined ? message : Buffer.concat([message, Buffer.from(envelope(following), 'latin1')]));
    await replies.expect('250');
    n = following;
  }
  socket.end('QUIT\r\n');
}

async function sendShare() {
  let next = first;
  const end = first + count;
  const take = () => (next < end ? next++ : undefined);
  await Promise.all(Array.from({ length: connections }, () => sendOverOneConnection(take)));
}

process.once('message', () => {
  void sendShare().then(
    () => process.send!('done'),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
process.once('SIGTERM', () => process.exit(0));
process.send!('ready');
