import fc from 'fast-check';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import type { OutgoingMail } from '../../src/mail/outgoing-mail.js';
import { createMimeBuilder } from '../../src/mail/mime-message.js';
import { makeHeaderWriter, mimeNodeHeaders } from '../../src/mail/mail-headers.js';

const sameLines = (text: string) => text.replace(/\r\n|\r/g, '\n').replace(/\n+$/, '');

function mail(overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    from: { name: 'Clean Air Now', address: 'campaigns@letters.example.org' },
    to: { name: 'Ada Lovelace', address: 'ada@example.org' },
    replyTo: { name: 'Clean Air Now', address: 'hello@cleanair.example.org' },
    subject: 'The minister replied',
    text: 'Dear Ada,\n\nThe reply is below.',
    html: '<p>Dear Ada,</p>\n<p>The reply is below.</p>',
    messageId: '<broadcast.1.2@letters.example.org>',
    unsubscribeUrl: 'https://letters.example.org/u/abc_DEF-123',
    ...overrides,
  };
}

describe('building a message', () => {
  it('carries every header and both bodies, read back by a mail parser', async () => {
    const raw = createMimeBuilder()(mail());
    const parsed = await PostalMime.parse(raw);
    expect(parsed.from).toEqual({ name: 'Clean Air Now', address: 'campaigns@letters.example.org' });
    expect(parsed.to).toEqual([{ name: 'Ada Lovelace', address: 'ada@example.org' }]);
    expect(parsed.replyTo).toEqual([{ name: 'Clean Air Now', address: 'hello@cleanair.example.org' }]);
    expect(parsed.subject).toBe('The minister replied');
    expect(parsed.messageId).toBe('<broadcast.1.2@letters.example.org>');
    expect(parsed.date).toBeTruthy();
    expect(sameLines(parsed.text!)).toBe('Dear Ada,\n\nThe reply is below.');
    expect(sameLines(parsed.html!)).toBe('<p>Dear Ada,</p>\n<p>The reply is below.</p>');
    const header = (key: string) => parsed.headers.find((h) => h.key === key)?.value;
    expect(header('list-unsubscribe')).toBe('<https://letters.example.org/u/abc_DEF-123>');
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(header('mime-version')).toBe('1.0');
  });

  it('attaches files as they were, under their names', async () => {
    const pdf = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 256));
    const build = createMimeBuilder();
    const attachments = [
      { filename: 'Réponse du ministère.pdf', content: pdf, contentType: 'application/pdf' },
      { filename: 'signatories.csv', content: 'name,postcode\r\nAda,SW1A 2AH\r\n', contentType: 'text/csv' },
    ];
    // The second message reuses the encoded parts: both must read the same.
    for (const to of ['a@example.org', 'b@example.org']) {
      const raw = build(mail({ to: { name: 'X', address: to }, attachments }));
      expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      const parsed = await PostalMime.parse(raw);
      expect(parsed.to).toEqual([{ name: 'X', address: to }]);
      expect(sameLines(parsed.text!)).toBe('Dear Ada,\n\nThe reply is below.');
      expect(parsed.attachments.map((a) => [a.filename, a.mimeType])).toEqual([
        ['Réponse du ministère.pdf', 'application/pdf'],
        ['signatories.csv', 'text/csv'],
      ]);
      expect(Buffer.from(parsed.attachments[0]!.content as ArrayBuffer).equals(pdf)).toBe(true);
      expect(Buffer.from(parsed.attachments[1]!.content as ArrayBuffer).toString()).toBe('name,postcode\r\nAda,SW1A 2AH\r\n');
    }
  });

  it('reads back any name, subject and body exactly, with no header of its own and no line over 78 characters', async () => {
    const build = createMimeBuilder();
    const text = fc.string({ unit: fc.constantFrom('a', ' ', '\t', '\n', '\r\n', '=', '.', 'é', '€', '😀', '<', '-', 'x'.repeat(90)), maxLength: 60 });
    const headerText = fc.string({ unit: fc.constantFrom('a', ' ', '"', '\\', '\r\n', 'Bcc: x@evil.example', 'é', '😀', ',', '<', '>', '@', ';'), minLength: 1, maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(headerText, headerText, text, text, async (name, subject, body, htmlBody) => {
        const raw = build(mail({ to: { name, address: 'ada@example.org' }, subject: `Re ${subject}`, text: body, html: htmlBody }));
        const source = raw.toString();
        for (const line of source.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
        // Every line ends in CRLF, as SMTP needs: the sender dot-stuffs but does not rewrite line ends.
        expect(source.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
        const parsed = await PostalMime.parse(raw);
        expect(parsed.to).toHaveLength(1);
        expect(parsed.to?.[0]?.address).toBe('ada@example.org');
        expect(parsed.to?.[0]?.name.replace(/\s+/g, ' ').trim()).toBe(name.replace(/\s+/g, ' ').trim());
        expect(parsed.headers.map((h) => h.key).sort()).toEqual(
          ['content-type', 'date', 'from', 'list-unsubscribe', 'list-unsubscribe-post', 'message-id', 'mime-version', 'reply-to', 'subject', 'to'].sort(),
        );
        expect(sameLines(parsed.text ?? '')).toBe(sameLines(body));
        expect(sameLines(parsed.html ?? '')).toBe(sameLines(htmlBody));
        // Header values cannot hold a line break: it is read back as whitespace.
        expect(parsed.subject!.replace(/\s+/g, ' ').trim()).toBe(`Re ${subject}`.replace(/\s+/g, ' ').trim());
      }),
      { numRuns: 300 },
    );
  });

  it('writes the same header bytes as nodemailer’s MimeNode, whatever the names, addresses, subjects and lengths', () => {
    const writeHeaders = makeHeaderWriter();
    // Mostly the plain values the fast way takes, with every kind of exception mixed in.
    const word = fc.string({ unit: fc.constantFrom('a', 'Z', '7', 'x'.repeat(30), '.', ',', "'", '!', ':', '(', '&', '-', '"', 'é', '=?', '@', '<'), minLength: 1, maxLength: 6 });
    const plainWord = fc.string({ unit: fc.constantFrom('a', 'Z', '7', 'x'.repeat(30)), minLength: 1, maxLength: 6 });
    const phrase = fc
      .oneof({ arbitrary: fc.array(plainWord, { minLength: 1, maxLength: 5 }), weight: 2 }, fc.array(word, { minLength: 1, maxLength: 5 }))
      .map((words) => words.join(' '));
    const address = fc
      .tuple(
        // A local part that is not a dot-atom ('.', 'a.', 'a..b') is quoted by MimeNode.
        fc.oneof(fc.stringMatching(/^[A-Za-z0-9._+-]{1,40}$/), fc.constantFrom('.', '.a', 'a.', 'a..b', 'a.b')),
        fc.constantFrom('example.org', 'Mail.Example.co.uk', 'bücher.example', 'x'.repeat(50) + '.example', '-x.example', 'x-.example', 'a--b.example'),
      )
      .map(([local, domain]) => `${local}@${domain}`);
    const messageId = fc.constantFrom('<broadcast.0123456789abcdef.0123456789abcdef01234567@letters.example.org>', '<confirmation.42@example.org>', '<odd id@example.org>');
    fc.assert(
      fc.property(phrase, address, phrase, phrase, messageId, fc.boolean(), fc.boolean(), (name, to, fromName, subject, id, withReplyTo, withUnsubscribe) => {
        const fields = {
          mail: mail({
            from: { name: fromName, address: 'campaigns@letters.example.org' },
            to: { name, address: to },
            replyTo: withReplyTo ? { name: 'United Nations Association – UK', address: 'hello@una.org.example' } : undefined,
            subject,
            messageId: id,
            unsubscribeUrl: withUnsubscribe ? `https://letters.example.org/u/${'A'.repeat(100)}` : undefined,
          }),
          contentType: `multipart/alternative; boundary="--_alt-c65521bfcd6eacd762f49a1e-hqx"`,
          date: new Date(Date.UTC(2026, 11, 2, 19, 14, 0)),
        };
        expect(writeHeaders(fields)).toBe(mimeNodeHeaders(fields));
      }),
      { numRuns: 1000 },
    );
  });
});
