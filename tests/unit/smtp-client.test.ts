/**
 * The SMTP client (src/mail/smtp) against real smtp-server instances on loopback: what a relay sees
 * and what each kind of answer becomes, pipelined or not, with STARTTLS, AUTH and DKIM.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { authenticate } from 'mailauth';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmtpTransport, type MailTransport } from '../../src/mail/mail-transport.js';
import { classifySendError } from '../../src/mail/smtp-outcome.js';
import type { OutgoingMail } from '../../src/mail/outgoing-mail.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function mail(to: string, overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    from: { name: 'Clean Air Now', address: 'campaigns@letters.example.org' },
    to: { name: 'Supporter', address: to },
    subject: 'The minister replied',
    text: 'Dear supporter,\n.\n..a line starting with dots\nThe reply is below.',
    html: '<p>Dear supporter,</p>',
    messageId: `<test.${to}@letters.example.org>`,
    ...overrides,
  };
}

function transportTo(url: string, options: { poolSize?: number; timeoutSeconds?: number; dkim?: Parameters<typeof createSmtpTransport>[0]['dkim'] } = {}): MailTransport {
  const transport = createSmtpTransport({ url, poolSize: options.poolSize ?? 2, timeoutSeconds: options.timeoutSeconds ?? 5, dkim: options.dkim });
  cleanups.push(() => transport.close());
  return transport;
}

async function sink(): Promise<SmtpSink> {
  const started = await startSmtpSink();
  cleanups.push(() => started.close());
  return started;
}

/** An smtp-server of the test's own, with whatever options it needs; records the commands it was sent. */
async function server(options: SMTPServerOptions): Promise<{ url: string; commands: string[]; received: string[]; sockets: Map<number, Socket> }> {
  const commands: string[] = [];
  const received: string[] = [];
  const sockets = new Map<number, Socket>();
  const smtp = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push(Buffer.concat(chunks).toString());
        callback();
      });
    },
    ...options,
  });
  smtp.on('error', () => {});
  smtp.server.on('connection', (socket: Socket) => {
    sockets.set(socket.remotePort ?? 0, socket);
    socket.on('data', (chunk: Buffer) => commands.push(...chunk.toString('latin1').split('\r\n').filter((line) => /^[A-Z]{4}/.test(line))));
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => smtp.close(() => resolve())));
  return { url: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`, commands, received, sockets };
}

const failureOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('the send was accepted');
};

describe('the SMTP client', () => {
  it('sends many messages over a few pipelined connections, each arriving whole with its envelope', async () => {
    const relay = await sink();
    const transport = transportTo(relay.url, { poolSize: 3 });
    const addresses = Array.from({ length: 60 }, (_, i) => `person-${i}@example.org`);
    const responses = await Promise.all(addresses.map((address, i) => transport.send(mail(address), `bounce+${i}@replies.example.org`)));
    expect(responses.every((r) => r.response.startsWith('250'))).toBe(true);
    expect(relay.received.map((m) => m.envelopeTo[0]).sort()).toEqual([...addresses].sort());
    const first = relay.to('person-0@example.org')[0]!;
    expect(first.envelopeFrom).toBe('bounce+0@replies.example.org');
    expect(first.parsed.messageId).toBe('<test.person-0@example.org@letters.example.org>');
    // Dot-stuffing undone by the server: lines starting with dots arrive as written.
    expect(first.parsed.text).toContain('\n.\n..a line starting with dots\n');
  });

  it('sends MAIL, RCPT and DATA together when the server offers PIPELINING, one at a time when it does not', async () => {
    for (const hidePIPELINING of [false, true]) {
      const relay = await server({ hidePIPELINING });
      const transport = transportTo(relay.url, { poolSize: 1 });
      await Promise.all(['a@example.org', 'b@example.org', 'c@example.org'].map((to) => transport.send(mail(to), 'bounce@replies.example.org')));
      expect(relay.received).toHaveLength(3);
      expect(relay.commands.filter((c) => c.startsWith('MAIL FROM'))).toHaveLength(3);
    }
  });

  it('reports a refused recipient as a bounce and carries on over the same connection', async () => {
    const relay = await sink();
    relay.refuse('gone@example.org', 550, '5.1.1 No such user');
    const transport = transportTo(relay.url, { poolSize: 1 });
    const [refused, next, after] = await Promise.allSettled([
      transport.send(mail('gone@example.org'), 'bounce@replies.example.org'),
      transport.send(mail('next@example.org'), 'bounce@replies.example.org'),
      transport.send(mail('after@example.org'), 'bounce@replies.example.org'),
    ]);
    expect(refused.status).toBe('rejected');
    const failure = classifySendError((refused as PromiseRejectedResult).reason);
    expect(failure).toMatchObject({ class: 'permanent', recipientRefused: true });
    expect(failure.response).toContain('550 5.1.1 No such user');
    expect([next.status, after.status]).toEqual(['fulfilled', 'fulfilled']);
    expect(relay.received.map((m) => m.envelopeTo[0])).toEqual(['next@example.org', 'after@example.org']);
  });

  it('reports a refused sender as a permanent failure that is not the recipient’s bounce', async () => {
    const relay = await server({
      onMailFrom(_address, _session, callback) {
        callback(Object.assign(new Error('5.7.1 Sender not allowed'), { responseCode: 550 }));
      },
    });
    const error = await failureOf(transportTo(relay.url).send(mail('ada@example.org'), 'bounce@replies.example.org'));
    expect(classifySendError(error)).toMatchObject({ class: 'permanent', recipientRefused: false });
  });

  it('refuses, without writing a byte, an address that would end its command early or add another', async () => {
    const relay = await server({});
    const transport = transportTo(relay.url);
    for (const to of ['ada@example.org>\r\nRCPT TO:<eve@example.org', 'ada@example.org\r\nDATA', 'a da@example.org', '<ada@example.org>', 'no-at-sign']) {
      const failure = classifySendError(await failureOf(transport.send(mail(to), 'b@replies.example.org')));
      expect(failure).toMatchObject({ class: 'permanent', recipientRefused: true, response: expect.stringContaining('501 5.1.3') });
    }
    const sender = classifySendError(await failureOf(transport.send(mail('ada@example.org'), 'bounce@replies.example.org>\r\nRSET')));
    expect(sender).toMatchObject({ class: 'permanent', recipientRefused: false });
    expect(relay.commands.filter((c) => c.startsWith('MAIL') || c.startsWith('RCPT'))).toEqual([]);
    // The transport still sends what can be sent.
    await transport.send(mail('ada@example.org'), 'b@replies.example.org');
    expect(relay.received).toHaveLength(1);
  });

  it('reports a refusal at the end of the data as a failure of the message, 4xx transient and 5xx permanent', async () => {
    const relay = await sink();
    const transport = transportTo(relay.url, { poolSize: 1 });
    relay.refuseNext(1, 451, '4.3.0 Try again later');
    expect(classifySendError(await failureOf(transport.send(mail('a@example.org'), 'b@replies.example.org')))).toMatchObject({
      class: 'transient',
      response: expect.stringContaining('451 4.3.0 Try again later'),
    });
    relay.refuseNext(1, 554, '5.7.1 Spam');
    expect(classifySendError(await failureOf(transport.send(mail('a@example.org'), 'b@replies.example.org')))).toMatchObject({
      class: 'permanent',
      recipientRefused: false,
    });
    await transport.send(mail('a@example.org'), 'b@replies.example.org');
    expect(relay.received).toHaveLength(1);
  });

  it('reports a 421 as transient, sends what was queued behind it over a new connection', async () => {
    const relay = await sink();
    relay.refuseNext(1, 421, '4.7.0 Closing connection', 'rcpt');
    const transport = transportTo(relay.url, { poolSize: 1 });
    const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((name) => transport.send(mail(`${name}@example.org`), 'b@replies.example.org')));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(classifySendError((results[0] as PromiseRejectedResult).reason)).toMatchObject({ class: 'transient' });
    expect(relay.received.map((m) => m.envelopeTo[0]).sort()).toEqual(['b@example.org', 'c@example.org', 'd@example.org']);
  });

  it('fails a message whose connection dropped during its data as a connection error (its fate unknown), and sends the rest', async () => {
    // The server reads the first chunk of that message's data, then the connection is cut.
    const relay = await server({
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          if (session.envelope.rcptTo[0]?.address === 'dropped@example.org') relay.sockets.get(session.remotePort)?.destroy();
        });
        stream.on('end', () => {
          relay.received.push(Buffer.concat(chunks).toString());
          callback();
        });
      },
    });
    const transport = transportTo(relay.url, { poolSize: 1 });
    const results = await Promise.allSettled(
      ['before@example.org', 'dropped@example.org', 'after@example.org'].map((to) => transport.send(mail(to), 'b@replies.example.org')),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(classifySendError((results[1] as PromiseRejectedResult).reason)).toMatchObject({ class: 'connection' });
    expect(relay.received).toHaveLength(2);
  });

  it('sends a message whose connection was lost before its data over another connection, once', async () => {
    const relay = await sink();
    relay.dropDuring('dropped@example.org');
    const transport = transportTo(relay.url, { poolSize: 1 });
    const results = await Promise.allSettled(
      ['before@example.org', 'dropped@example.org', 'after@example.org'].map((to) => transport.send(mail(to), 'b@replies.example.org')),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(relay.droppedConnections).toBe(1);
    expect(relay.received.map((m) => m.envelopeTo[0]).sort()).toEqual(['after@example.org', 'before@example.org', 'dropped@example.org']);
  });

  it('fails every waiting message at once as a connection error when the server cannot be reached', async () => {
    const relay = await sink();
    await relay.pause();
    const transport = transportTo(relay.url, { poolSize: 2 });
    const results = await Promise.allSettled(['a', 'b', 'c'].map((name) => transport.send(mail(`${name}@example.org`), 'b@replies.example.org')));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const result of results) expect(classifySendError((result as PromiseRejectedResult).reason)).toMatchObject({ class: 'connection' });
    await relay.resume();
    await transport.send(mail('a@example.org'), 'b@replies.example.org');
    expect(relay.received).toHaveLength(1);
  });

  it('gives up on a server that does not answer within SMTP_TIMEOUT_SECONDS, as a connection error', async () => {
    const relay = await sink();
    relay.delayNext(1, 3_000);
    const transport = transportTo(relay.url, { timeoutSeconds: 1 });
    const error = await failureOf(transport.send(mail('slow@example.org'), 'b@replies.example.org'));
    expect(classifySendError(error)).toMatchObject({ class: 'connection', response: expect.stringContaining('did not answer within 1 s') });
  });

  it('logs in with the URL’s credentials, and a refused login fails the message', async () => {
    const logins: string[] = [];
    const relay = await server({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        logins.push(`${auth.method} ${auth.username}:${auth.password}`);
        if (auth.password === 'p@ss word') callback(null, { user: auth.username });
        else callback(Object.assign(new Error('5.7.8 Bad credentials'), { responseCode: 535 }));
      },
    });
    const port = new URL(relay.url).port;
    await transportTo(`smtp://relay%40example.org:p%40ss%20word@127.0.0.1:${port}`).send(mail('ada@example.org'), 'b@replies.example.org');
    expect(relay.received).toHaveLength(1);
    const error = await failureOf(transportTo(`smtp://relay%40example.org:wrong@127.0.0.1:${port}`).send(mail('ada@example.org'), 'b@replies.example.org'));
    expect(classifySendError(error)).toMatchObject({ class: 'permanent', response: expect.stringContaining('535') });
    expect(logins).toEqual(['PLAIN relay@example.org:p@ss word', 'PLAIN relay@example.org:wrong']);
  });

  it('upgrades with STARTTLS when offered, and will not send over it to a certificate it cannot trust', async () => {
    const relay = await server({ disabledCommands: [] });
    const error = await failureOf(transportTo(relay.url).send(mail('ada@example.org'), 'b@replies.example.org'));
    expect(relay.commands).toContain('STARTTLS');
    expect(classifySendError(error)).toMatchObject({ class: 'connection' });
    expect(relay.received).toHaveLength(0);
  });

  it('signs with DKIM so that a verifier finds the signature valid, covering the list headers', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const relay = await sink();
    const transport = transportTo(relay.url, {
      dkim: { domainName: 'letters.example.org', keySelector: 'mail2026', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    });
    await transport.send(
      mail('ada@example.org', { unsubscribeUrl: 'https://letters.example.org/u/abc', text: 'Trailing spaces   \n\twith  tabs\n\n\n', subject: 'Réponse du ministère' }),
      'b@replies.example.org',
    );
    const raw = relay.received[0]!.raw;
    const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const resolver = async (name: string, type: string) => {
      if (name === 'mail2026._domainkey.letters.example.org' && type === 'TXT') return [[`v=DKIM1; k=rsa; p=${der}`]];
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    };
    const dkimResults = async (message: string) =>
      (await authenticate(message, { ip: '127.0.0.1', helo: 'relay.example.org', sender: 'b@replies.example.org', resolver, disableArc: true, disableBimi: true })).dkim?.results ?? [];
    const verdict = await dkimResults(raw);
    expect(verdict.map((result) => result.status?.result)).toEqual(['pass']);
    const signed = /(?:^|;)h=([^;]+)/.exec(relay.received[0]!.header('dkim-signature')!.replace(/\s+/g, ''))![1]!.split(':');
    expect(signed).toEqual(expect.arrayContaining(['from', 'subject', 'to', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post']));
    // Altered after signing: the same verifier says so.
    const tampered = await dkimResults(raw.replace('Dear supporter', 'Dear customer'));
    expect(tampered.map((result) => [result.status?.result, result.status?.comment])).toEqual([['neutral', 'body hash did not verify']]);
  });
});
