import { readFileSync } from 'node:fs';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { pino } from 'pino';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { describeFailure, serializeErrorSafely, withoutQueryParams } from '../../src/infra/safe-errors.js';
import { sortAttachments, type ReceivedAttachment } from '../../src/replies/attachment-policy.js';
import { plainTextToSafeHtml } from '../../src/replies/reply-html.js';

const FIXTURE = readFileSync(new URL('../fixtures/government-reply-2014.eml', import.meta.url));

function hrefsIn(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((match) => match[1]!.replaceAll('&amp;', '&'));
}

describe('plain-text replies as HTML', () => {
  it('links the fixture reply’s www.fco.gov.uk to itself, with no %5C (backslash) anywhere', async () => {
    const email = await PostalMime.parse(FIXTURE);
    const html = plainTextToSafeHtml(email.text!);
    expect(html).not.toMatch(/%5C|\\/i);
    expect(hrefsIn(html)).toEqual(['http://www.fco.gov.uk']);
    expect(html).toContain('>www.fco.gov.uk</a>');
    // The letter's own words come through escaped, not as Markdown.
    expect(html).toContain('A copy of this letter has been emailed to your members');
  });

  it.each([
    ['See https://www.gov.uk/government/news.', 'https://www.gov.uk/government/news'],
    ['Details: https://www.gov.uk/search?q=syria&order=updated-newest, thank you', 'https://www.gov.uk/search?q=syria&order=updated-newest'],
    ['(see https://example.gov.uk/a/b.c.html)', 'https://example.gov.uk/a/b.c.html'],
    ['Ends with a question: https://www.parliament.uk/business/?', 'https://www.parliament.uk/business/'],
    ['Exclaimed https://www.fco.gov.uk/en/news!', 'https://www.fco.gov.uk/en/news'],
    ['Fragment https://www.gov.uk/guidance/x#section-2; and more', 'https://www.gov.uk/guidance/x#section-2'],
    ['Write to correspondence@fco.example.gov.uk.', 'mailto:correspondence@fco.example.gov.uk'],
  ])('links %j to %s, trailing punctuation left outside', (text, href) => {
    expect(hrefsIn(plainTextToSafeHtml(text))).toEqual([href]);
  });

  it('escapes markup and links nothing that is not http(s) or mail', () => {
    const html = plainTextToSafeHtml('<script>alert(1)</script> javascript:alert(1) ftp://files.example.org/x //evil.example/x *not emphasis*');
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;');
    expect(hrefsIn(html)).toEqual([]);
    expect(html).toContain('*not emphasis*');
  });

  it('keeps paragraphs and line breaks', () => {
    expect(plainTextToSafeHtml('Dear Sir,\r\n\r\nThank you.\nYours,\n\n\nMark')).toBe('<p>Dear Sir,</p>\n<p>Thank you.<br />\nYours,</p>\n<p>Mark</p>');
  });
});

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00', 'latin1'), Buffer.alloc(64)]);
const LIMITS = { maxCount: 20, maxTotalBytes: 1_000_000 };

function file(filename: string, contentType: string, content: Buffer): ReceivedAttachment {
  return { filename, contentType, content };
}

describe('which attachments are forwarded', () => {
  it('forwards PDF, images and text documents, by their canonical type', async () => {
    const { forwarded, withheld } = await sortAttachments(
      [
        file('MIN-66425-2014.pdf', 'application/pdf', PDF),
        file('photo.png', 'image/png', PNG),
        file('scan.PDF', 'application/octet-stream', PDF),
        file('notes.txt', 'text/plain; charset=utf-8', Buffer.from('Plain notes, £ and “quotes”')),
        file('signatories.csv', 'text/csv', Buffer.from('name,town\nJane,York\n')),
      ],
      LIMITS,
    );
    expect(withheld).toEqual({ count: 0, items: [] });
    expect(forwarded.map((a) => [a.filename, a.contentType])).toEqual([
      ['MIN-66425-2014.pdf', 'application/pdf'],
      ['photo.png', 'image/png'],
      ['scan.PDF', 'application/pdf'],
      ['notes.txt', 'text/plain'],
      ['signatories.csv', 'text/csv'],
    ]);
  });

  it.each([
    ['an executable by name', file('setup.exe', 'application/octet-stream', EXE), '.exe files are not forwarded'],
    ['an executable renamed .pdf', file('letter.pdf', 'application/pdf', EXE), 'the content is exe, not pdf'],
    ['an executable declared as an image', file('photo', 'image/png', EXE), 'the content is exe, not png'],
    ['HTML', file('reply.html', 'text/html', Buffer.from('<html><script>alert(1)</script></html>')), '.html files are not forwarded'],
    ['HTML named .txt but declared as HTML', file('reply.txt', 'text/html', Buffer.from('<html></html>')), 'text/html files are not forwarded'],
    ['a PDF named .png', file('photo.png', 'image/png', PDF), 'the content is pdf, not png'],
    ['a name and type that disagree', file('scan.pdf', 'image/png', PNG), 'the name (.pdf) and the declared type (image/png) disagree'],
    ['binary posing as text', file('notes.txt', 'text/plain', Buffer.from([0x41, 0x00, 0x42])), 'declared as text, but the content is binary'],
    ['an executable posing as text', file('notes.txt', 'text/plain', EXE), 'declared as text, but the content is exe'],
    ['a script', file('run.js', 'application/javascript', Buffer.from('alert(1)')), '.js files are not forwarded'],
    ['no name and no type', file('attachment', 'application/octet-stream', PDF), 'neither a known name nor a known type'],
  ])('withholds %s, saying why', async (_what, attachment, reason) => {
    const { forwarded, withheld } = await sortAttachments([attachment], LIMITS);
    expect(forwarded).toEqual([]);
    expect(withheld.count).toBe(1);
    expect(withheld.items[0]!.filename).toBe(attachment.filename);
    expect(withheld.items[0]!.reason).toContain(reason);
  });

  it('forwards at most the count and total size allowed, and lists the first 100 withheld', async () => {
    const many = Array.from({ length: 150 }, (_, i) => file(`page-${i}.pdf`, 'application/pdf', PDF));
    const byCount = await sortAttachments(many, { maxCount: 3, maxTotalBytes: 1_000_000 });
    expect(byCount.forwarded.map((a) => a.filename)).toEqual(['page-0.pdf', 'page-1.pdf', 'page-2.pdf']);
    expect(byCount.withheld.count).toBe(147);
    expect(byCount.withheld.items).toHaveLength(100);
    expect(byCount.withheld.items[0]).toEqual({ filename: 'page-3.pdf', contentType: 'application/pdf', reason: 'over the limit of 3 files per reply' });

    const bySize = await sortAttachments(many.slice(0, 3), { maxCount: 20, maxTotalBytes: PDF.length * 2 });
    expect(bySize.forwarded).toHaveLength(2);
    expect(bySize.withheld.items).toEqual([{ filename: 'page-2.pdf', contentType: 'application/pdf', reason: `over the limit of ${PDF.length * 2} bytes of files per reply` }]);
  });
});

describe('errors as logged', () => {
  const secret = 'private-supporter@example.org';
  const failed = new DrizzleQueryError('insert into "reply_attachments" ("filename") values ($1), ($2)', [secret, 'x'.repeat(10_000)], new Error('bind message supplies 2 parameters'));

  it('carry the query and the cause, never its parameters', () => {
    const safe = withoutQueryParams(failed) as Error;
    expect(safe.message).toContain('insert into "reply_attachments"');
    expect(safe.message).toContain('bind message supplies 2 parameters');
    expect(JSON.stringify({ ...safe, message: safe.message, stack: safe.stack })).not.toContain(secret);
    expect(describeFailure(failed)).not.toContain(secret);
  });

  it('through a wrapping error’s cause too, and in what pino writes', () => {
    const wrapped = new Error('processing failed', { cause: failed });
    const lines: string[] = [];
    const log = pino({ serializers: { err: serializeErrorSafely } }, { write: (line: string) => void lines.push(line) });
    log.error({ err: wrapped }, 'job failed');
    log.error({ err: failed }, 'job failed');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toContain('reply_attachments');
      expect(line).not.toContain(secret);
      expect(line.length).toBeLessThan(5_000);
    }
  });
});
