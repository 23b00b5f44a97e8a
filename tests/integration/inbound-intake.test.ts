/**
 * Intake that cannot be abused: the listener's memory stays bounded under an oversize message (in a
 * process of its own, its peak RSS read), clients and senders are limited with 4xx, a message no
 * attempt can process ends `failed` with its reason and is never queued again, only documents and
 * images are forwarded, and raw mail is deleted after the retention period.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/infra/logger.js';
import { startInboundListener, type InboundListener } from '../../src/inbound/smtp-listener.js';
import { registerInboundSmtp } from '../../src/metrics/process-metrics.js';
import { Registry } from 'prom-client';
import { Queues, inboundJobId } from '../../src/queue/queues.js';
import { createRedis } from '../../src/queue/redis-connection.js';
import { startWorkers } from '../../workers/start-workers.js';
import { createPublishedCampaign, startStack, testEnv, uniqueSuffix, waitForValue, type Stack } from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';
import { deliverRaw, startTestInboundListener, type TestInboundListener } from '../support/inbound-listener.js';
import { seedSupporters } from '../support/seed.js';
import { broadcastMessageIdPrefix } from '../../src/mail/message-id.js';

const FIXTURE = readFileSync(new URL('../fixtures/government-reply-2014.eml', import.meta.url), 'utf8');
const OFFICIAL = 'conflict.department@fco.example.gov.uk';
const MiB = 1024 * 1024;

const { handle, organiser } = useTestStack({ runs: 'database', organiser: 'UNA-UK' });

async function campaignOn(stack: Stack) {
  const campaign = await createPublishedCampaign(stack.app, organiser, { replyPolicy: { mode: 'auto', allowedSenders: ['fco.example.gov.uk'] } });
  const details = (await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}`, headers: organiser.auth })).json();
  return { ...campaign, replyAddress: details.replyAddress as string };
}

async function storedFor(replyAddress: string): Promise<number> {
  const { rows } = await handle.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM inbound_messages WHERE $1 = ANY(envelope_to)', [replyAddress]);
  return rows[0]!.n;
}

/** An SMTP conversation on a raw socket: each `reply()` is the server's next complete reply. */
function openSession(port: number): Promise<{ socket: Socket; reply(): Promise<string>; send(line: string): Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buffered = '';
    const replies: string[] = [];
    const waiting: Array<(reply: string) => void> = [];
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      let end: RegExpExecArray | null;
      while ((end = /^\d{3} .*\r\n/m.exec(buffered))) {
        const reply = buffered.slice(0, end.index + end[0].length);
        buffered = buffered.slice(reply.length);
        const waiter = waiting.shift();
        if (waiter) waiter(reply);
        else replies.push(reply);
      }
    });
    socket.on('close', () => waiting.splice(0).forEach((waiter) => waiter('(closed)')));
    const reply = () => new Promise<string>((done) => (replies.length > 0 ? done(replies.shift()!) : waiting.push(done)));
    const send = (line: string) => {
      socket.write(`${line}\r\n`);
      return reply();
    };
    socket.once('error', reject);
    socket.once('connect', () => resolve({ socket, reply, send }));
  });
}

/** Sends `totalBytes` of message body, generated as it goes (never held by the test), honouring backpressure. */
async function streamBody(socket: Socket, totalBytes: number): Promise<void> {
  const line = `${'x'.repeat(998)}\r\n`;
  const chunk = Buffer.from(line.repeat(64));
  const header = Buffer.from(`From: <${OFFICIAL}>\r\nSubject: a very large reply\r\n\r\n`);
  socket.write(header);
  for (let sent = header.length; sent < totalBytes; sent += chunk.length) {
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  socket.write('\r\n.\r\n');
}

const deliver = (port: number, raw: string | Buffer, to: string, from = OFFICIAL) => deliverRaw(port, raw, to, from);

function replyOf(stack: Stack, campaignId: string) {
  return stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaignId}/replies`, headers: organiser.auth }).then((r) => r.json().items);
}

function inboundOf(stack: Stack, campaignId: string) {
  return stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaignId}/inbound`, headers: organiser.auth }).then((r) => r.json().items);
}

describe('the inbound listener', () => {
  const { stack } = useTestStack({ env: { INBOUND_SMTP_PORT: '0' } });
  let child: ChildProcess;
  afterAll(() => {
    child?.send('stop');
  });

  it('keeps its memory bounded under a 400 MiB message: the bytes past INBOUND_MAX_BYTES are dropped, 552, nothing stored', async () => {
    const campaign = await campaignOn(stack);
    child = fork(new URL('../support/inbound-listener-process.ts', import.meta.url), {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...testEnv({ REDIS_PREFIX: stack.config.REDIS_PREFIX, INBOUND_SMTP_PORT: '0', INBOUND_MAX_BYTES: String(10 * MiB) }) },
    });
    const messages: Array<{ port?: number; peakRss: number }> = [];
    child.on('message', (message) => messages.push(message as { port?: number; peakRss: number }));
    const ready = (await waitForValue(() => messages[0], (m) => m !== undefined, 'the listener process to start'))!;
    const before = ready.peakRss;

    const session = await openSession(ready.port!);
    expect(await session.reply()).toMatch(/^220 /);
    expect(await session.send('EHLO test.example')).toMatch(/^250/);
    // No SIZE= parameter: the listener cannot refuse it up front, only while it arrives.
    expect(await session.send(`MAIL FROM:<${OFFICIAL}>`)).toMatch(/^250 /);
    expect(await session.send(`RCPT TO:<${campaign.replyAddress}>`)).toMatch(/^250 /);
    expect(await session.send('DATA')).toMatch(/^354 /);
    await streamBody(session.socket, 400 * MiB);
    expect(await session.reply()).toMatch(/^552 5\.3\.4 /);
    expect(await session.send('QUIT')).toMatch(/^221 /);

    child.send('peak');
    const after = (await waitForValue(() => messages[1], (m) => m !== undefined, 'the listener’s peak memory'))!;
    // Holding the message would add at least 400 MiB; holding up to the limit adds about 10.
    expect(after.peakRss - before, `peak RSS grew from ${Math.round(before / MiB)} to ${Math.round(after.peakRss / MiB)} MiB`).toBeLessThan(100 * MiB);
    expect(await storedFor(campaign.replyAddress)).toBe(0);
  }, 180_000);

  it('limits connections per client address with 421, and messages per client and per sender each hour with 451', async () => {
    const answered = registerInboundSmtp(new Registry());
    const limited = { ...stack.config, INBOUND_MAX_CONNECTIONS_PER_CLIENT: 2, INBOUND_CLIENT_MESSAGES_PER_HOUR: 5, INBOUND_SENDER_MESSAGES_PER_HOUR: 2 };
    const producer = createRedis(stack.config.REDIS_URL, 'producer');
    const queues = new Queues(producer, `${stack.config.REDIS_PREFIX}-limits-${uniqueSuffix()}`);
    const listener: InboundListener = await startInboundListener(
      { ...limited, REDIS_PREFIX: `${stack.config.REDIS_PREFIX}-limits-${uniqueSuffix()}` },
      { db: handle.db, queues, redis: producer, log: pino({ level: 'silent' }), answered },
    );
    try {
      const campaign = await campaignOn(stack);
      const sessions = [await openSession(listener.port), await openSession(listener.port), await openSession(listener.port)];
      const greetings = await Promise.all(sessions.map((session) => session.reply()));
      expect(greetings.map((greeting) => greeting.slice(0, 4)).sort()).toEqual(['220 ', '220 ', '421 ']);
      await Promise.all(sessions.filter((_, i) => greetings[i]!.startsWith('220')).map((session) => session.send('QUIT')));
      // A slot is free again once a connection closes.
      const again = await waitForValue(
        async () => {
          const session = await openSession(listener.port);
          return { session, greeting: await session.reply() };
        },
        ({ greeting }) => greeting.startsWith('220'),
        'a connection slot',
      );
      await again.session.send('QUIT');

      const outcome = (from: string) =>
        deliver(listener.port, FIXTURE, campaign.replyAddress, from).then(
          (info) => info.response.slice(0, 3),
          (error: { responseCode?: number; response?: string }) => `${error.responseCode} ${error.response}`,
        );
      const a = 'a@fco.example.gov.uk';
      expect(await outcome(a)).toBe('250');
      expect(await outcome(a)).toBe('250');
      expect(await outcome(a)).toMatch(/^451 451 4\.7\.1 Too many messages/);
      expect(await outcome('b@fco.example.gov.uk')).toBe('250');
      expect(await outcome('c@fco.example.gov.uk')).toBe('250');
      // Five counted from this address (the refused one too): the sixth is refused whoever sends it.
      expect(await outcome('d@fco.example.gov.uk')).toMatch(/^451 /);
      expect(await storedFor(campaign.replyAddress)).toBe(4);
      // What an operator's dashboard shows of the same: one 421, two 451s, four stored.
      const counted = Object.fromEntries((await answered.get()).values.map(({ labels, value }) => [String(labels.result), value]));
      expect(counted).toMatchObject({ too_many_connections: 1, too_many_messages: 2, accepted: 4 });
    } finally {
      await listener.close();
      await queues.close();
      producer.disconnect();
    }
  });
});

/**
 * A reply with `count` attachments, each a small PDF with its own name. One short header line a part:
 * postal-mime refuses a message whose headers add up to more than 2 MiB.
 */
function replyWithAttachments(count: number, messageId: string): string {
  const boundary = 'many-attachments-boundary';
  const parts = Array.from({ length: count }, (_, i) => `--${boundary}\r\nContent-Type: application/pdf; name=page-${i}.pdf\r\n\r\n%PDF-1.4\r\n%%EOF\r\n`);
  return (
    `From: Conflict Department <${OFFICIAL}>\r\nTo: campaign\r\nSubject: The reply, in many pages\r\nMessage-ID: <${messageId}>\r\n` +
    `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n` +
    `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThank you for your letter. See www.fco.gov.uk.\r\n` +
    parts.join('') +
    `--${boundary}--\r\n`
  );
}

describe('a message with 17,000 attachments', () => {
  let stack: Stack;
  let listener: TestInboundListener;
  const logLines: string[] = [];
  beforeAll(async () => {
    // Attachment limits raised so far that the insert breaks Postgres' 65,535 parameters: a real poison message.
    stack = await startStack({
      INBOUND_SMTP_PORT: '0',
      INBOUND_MAX_BYTES: String(16 * MiB),
      INBOUND_REQUIRE_DMARC: 'false',
      INBOUND_MAX_ATTACHMENTS: '100000',
      INBOUND_MAX_ATTACHMENT_BYTES: String(16 * MiB),
      INBOUND_MAX_ATTEMPTS: '2',
      SWEEP_INTERVAL_SECONDS: '3600',
    });
    const stopped = stack.workers;
    await stopped.close();
    const capture = new Writable({ write: (chunk: Buffer, _encoding, done) => (logLines.push(chunk.toString()), done()) });
    stack.workers = await startWorkers(stack.config, createLogger('info', 'worker', capture));
    listener = await startTestInboundListener(stack.config, handle.db);
  });
  afterAll(async () => {
    await listener.close();
    await stack.close();
  });

  it('ends failed with its reason after its attempts, shown to the organiser, never queued again, and no query parameters logged', async () => {
    const campaign = await campaignOn(stack);
    const raw = replyWithAttachments(17_000, `poison.${uniqueSuffix()}@fco.example.gov.uk`);
    const accepted = await deliver(listener.port, raw, campaign.replyAddress);
    const inboundId = /Queued as ([0-9a-f-]{36})/.exec(accepted.response)![1]!;

    const [failed] = await waitForValue(() => inboundOf(stack, campaign.id), (items) => items[0]?.status === 'failed', 'the message to fail', 60_000);
    expect(failed).toMatchObject({ id: inboundId, status: 'failed', attempts: 2, rawKept: true, size: Buffer.byteLength(raw) });
    expect(failed.outcome).toMatch(/^failed: could not be processed in 2 attempts: Failed query \(\d+ parameters, not shown\): insert into "reply_attachments"/);
    expect(await replyOf(stack, campaign.id)).toEqual([]);

    // The sweep queues only what is still to do: the failed message is left alone.
    await stack.workers.sweep();
    const job = await listener.queues.get('inbound').getJob(inboundJobId(inboundId));
    expect(await job?.getState()).not.toMatch(/waiting|delayed|active/);
    const { rows } = await handle.pool.query('SELECT status, attempts FROM inbound_messages WHERE id = $1', [inboundId]);
    expect(rows).toEqual([{ status: 'failed', attempts: 2 }]);

    const logged = logLines.join('');
    expect(logged).toContain('Failed query');
    expect(logged).not.toContain('page-16999.pdf');
    expect(logged.length).toBeLessThan(50_000);
  }, 120_000);

  it('under the default limits is recorded and forwarded with 20 files, the other 16,980 withheld and listed for the organiser', async () => {
    const stopped = stack.workers;
    await stopped.close();
    stack.workers = await startWorkers({ ...stack.config, INBOUND_MAX_ATTACHMENTS: 20 }, pino({ level: 'silent' }));
    const campaign = await campaignOn(stack);
    await seedSupporters(handle, campaign.id, 2, uniqueSuffix());
    await deliver(listener.port, replyWithAttachments(17_000, `many.${uniqueSuffix()}@fco.example.gov.uk`), campaign.replyAddress);

    const [reply] = await waitForValue(() => replyOf(stack, campaign.id), (items) => items[0]?.status === 'forwarded', 'the reply to be forwarded', 60_000);
    expect(reply.attachments).toHaveLength(20);
    expect(reply.withheldAttachmentCount).toBe(16_980);
    expect(reply.withheldAttachments).toHaveLength(100);
    expect(reply.withheldAttachments[0]).toEqual({ filename: 'page-20.pdf', contentType: 'application/pdf', reason: 'over the limit of 20 files per reply' });
    const mail = await waitForValue(
      () => stack.sink.received.filter((m) => m.header('message-id')?.startsWith(broadcastMessageIdPrefix(reply.broadcastId, stack.config.SECRET_KEY))),
      (received) => received.length === 2,
      'the forward to both supporters',
    );
    for (const one of mail) expect(one.parsed.attachments).toHaveLength(20);
  }, 120_000);
});

describe('forwarded attachments and retention', () => {
  const { stack, listener } = useTestStack({
    env: { INBOUND_SMTP_PORT: '0', INBOUND_REQUIRE_DMARC: 'false', INBOUND_RETENTION_DAYS: '30', SWEEP_INTERVAL_SECONDS: '3600' },
    inboundListener: true,
  });

  it('forwards the PDF but not an executable renamed .pdf nor an HTML file, and tells the organiser which and why', async () => {
    const campaign = await campaignOn(stack);
    await seedSupporters(handle, campaign.id, 2, uniqueSuffix());
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00', 'latin1'), Buffer.alloc(256)]).toString('base64');
    const html = Buffer.from('<html><body><script>document.location="https://phish.example"</script></body></html>').toString('base64');
    const withFiles = FIXTURE.replace(
      /(\r?\n)(--[^\r\n]+--)\s*$/,
      (_all, eol: string, closing: string) =>
        `${eol}${closing.slice(0, -2)}${eol}Content-Type: application/pdf; name=annex.pdf${eol}Content-Disposition: attachment; filename=annex.pdf${eol}Content-Transfer-Encoding: base64${eol}${eol}${exe}${eol}` +
        `${closing.slice(0, -2)}${eol}Content-Type: text/html; name=letter.html${eol}Content-Disposition: attachment; filename=letter.html${eol}Content-Transfer-Encoding: base64${eol}${eol}${html}${eol}${closing}${eol}`,
    );
    expect(withFiles).toContain('annex.pdf');
    await deliver(listener.port, withFiles, campaign.replyAddress);

    const [reply] = await waitForValue(() => replyOf(stack, campaign.id), (items) => items[0]?.status === 'forwarded', 'the reply to be forwarded');
    expect(reply.attachments).toEqual([{ filename: 'MIN-66425-2014.pdf', contentType: 'application/pdf', size: expect.any(Number) }]);
    expect(reply.withheldAttachmentCount).toBe(2);
    expect(reply.withheldAttachments).toEqual([
      { filename: 'annex.pdf', contentType: 'application/pdf', reason: 'the content is exe, not pdf' },
      { filename: 'letter.html', contentType: 'text/html', reason: '.html files are not forwarded (only documents and images)' },
    ]);
    // The plain-text body's address is linked as written.
    expect(reply.html).toContain('<a href="http://www.fco.gov.uk">www.fco.gov.uk</a>');
    const mail = await waitForValue(
      () => stack.sink.received.filter((m) => m.header('message-id')?.startsWith(broadcastMessageIdPrefix(reply.broadcastId, stack.config.SECRET_KEY))),
      (received) => received.length === 2,
      'the forward to both supporters',
    );
    for (const one of mail) {
      expect(one.parsed.attachments.map((a) => a.filename)).toEqual(['MIN-66425-2014.pdf']);
      expect(one.raw).not.toContain(exe.slice(0, 40));
    }
  });

  it('deletes raw mail older than INBOUND_RETENTION_DAYS at the sweep, keeping the reply and the record of what came', async () => {
    const campaign = await campaignOn(stack);
    await deliver(listener.port, FIXTURE.replace(/^Message-ID: .*$/m, `Message-ID: <old.${uniqueSuffix()}@x>`), campaign.replyAddress);
    await waitForValue(() => replyOf(stack, campaign.id), (items) => items[0]?.status === 'forwarded', 'the old reply');
    await handle.pool.query(`UPDATE inbound_messages SET created_at = now() - interval '31 days' WHERE campaign_id = $1`, [campaign.id]);
    await deliver(listener.port, FIXTURE.replace(/^Message-ID: .*$/m, `Message-ID: <new.${uniqueSuffix()}@x>`), campaign.replyAddress);
    await waitForValue(() => replyOf(stack, campaign.id), (items) => items.length === 2, 'the new reply');

    await stack.workers.sweep();
    const inbound = await inboundOf(stack, campaign.id);
    expect(inbound.map((m: { rawKept: boolean; size: number }) => [m.rawKept, m.size > 10_000])).toEqual([
      [true, true],
      [false, true],
    ]);
    const { rows } = await handle.pool.query('SELECT count(*)::int AS n FROM inbound_messages WHERE campaign_id = $1 AND raw IS NULL', [campaign.id]);
    expect(rows[0].n).toBe(1);
    const replies = await replyOf(stack, campaign.id);
    expect(replies.map((r: { text: string; attachments: unknown[] }) => [r.text.includes('A copy of this letter'), r.attachments.length])).toEqual([
      [true, 1],
      [true, 1],
    ]);
  });
});
