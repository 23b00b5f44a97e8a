/**
 * How reports are read: sample delivery status notifications and feedback reports in the shapes the
 * common systems send (tests/fixtures/reports, written from RFC 3464 and RFC 5965's examples and the
 * systems' documented formats), each classified as a hard or soft bounce, a delay, a complaint or
 * nothing to act on, with the status code and diagnostic recorded.
 */
import { readFileSync } from 'node:fs';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { readReport } from '../../src/bounces/read-report.js';
import { readFieldBlocks } from '../../src/bounces/report-fields.js';

const read = async (name: string) => readReport(await PostalMime.parse(readFileSync(new URL(`../fixtures/reports/${name}`, import.meta.url))));

describe('reading a report', () => {
  it.each([
    ['postfix-user-unknown.eml', 'rfc3464', '5.1.1', /^550 5\.1\.1 <gone@remote\.example>: Recipient address rejected: User unknown in virtual mailbox table$/],
    // Exim says only 5.0.0 in Status; the diagnostic's 5.1.1 is the specific one.
    ['exim-rfc3464.eml', 'rfc3464', '5.1.1', /^550 5\.1\.1 <gone@example\.net>: Recipient address rejected/],
    ['exchange-online.eml', 'rfc3464', '5.1.10', /RESOLVER\.ADR\.RecipientNotFound/],
    // Gmail folds its multi-line reply into the field: read as one line.
    ['gmail-no-such-user.eml', 'rfc3464', '5.1.1', /^550-5\.1\.1 The email account that you tried to reach does not exist\. Please try 550-5\.1\.1 double-checking/],
    ['exim-plain-text.eml', 'plain text', '5.1.1', /^550 5\.1\.1 <gone@example\.net>\.\.\. User unknown$/],
    ['qmail-plain-text.eml', 'plain text', '5.1.1', /no mailbox here by that name/],
  ])('%s is a permanent failure (%s, %s)', async (name, shape, status, diagnostic) => {
    const reading = await read(name);
    expect(reading).toMatchObject({ kind: 'failed', permanent: true, status, shape });
    expect(reading.kind === 'failed' && reading.diagnostic).toMatch(diagnostic);
  });

  it('names the recipient the report gives, for the record only', async () => {
    expect(await read('postfix-user-unknown.eml')).toMatchObject({ recipient: 'gone@remote.example' });
    expect(await read('exchange-online.eml')).toMatchObject({ recipient: 'gone@contoso.example' });
  });

  it('reads a 4.x.x failure (the relay gave up after retrying) as a soft bounce', async () => {
    expect(await read('postfix-expired.eml')).toMatchObject({ kind: 'failed', permanent: false, status: '4.2.2', diagnostic: '452 4.2.2 Mailbox full' });
  });

  it('reads a delay warning as delayed, with its status', async () => {
    expect(await read('postfix-delayed.eml')).toMatchObject({ kind: 'delayed', status: '4.7.1', diagnostic: '451 4.7.1 Greylisted, please try again later', shape: 'rfc3464' });
  });

  it('reads an ARF abuse report (a feedback loop) as a complaint', async () => {
    expect(await read('arf-abuse.eml')).toEqual({ kind: 'complaint', feedbackType: 'abuse', recipient: 'reader@mailbox.example', shape: 'arf' });
  });

  it('acts on no feedback report that is not a complaint, nor on an automatic reply', async () => {
    expect(await read('arf-not-spam.eml')).toMatchObject({ kind: 'no action', why: 'feedback report of type "not-spam", not a complaint' });
    expect(await read('out-of-office.eml')).toMatchObject({ kind: 'no action', why: 'an automatic reply (Auto-Submitted: auto-replied)' });
  });

  it('reads success notifications as nothing to act on', async () => {
    const delivered = readFileSync(new URL('../fixtures/reports/postfix-delayed.eml', import.meta.url), 'utf8').replace('Action: delayed', 'Action: delivered').replace('Status: 4.7.1', 'Status: 2.0.0');
    expect(readReport(await PostalMime.parse(delivered))).toMatchObject({ kind: 'no action', why: 'delivery status notification with action delivered' });
  });
});

describe('the field blocks of a report part', () => {
  it('joins folded lines, reads names in any case, keeps the first of a repeated field and splits blocks at blank lines', () => {
    const blocks = readFieldBlocks('Reporting-MTA: dns; a\r\n\r\nFINAL-recipient: rfc822; x@y\r\naction: failed\r\nDiagnostic-Code: smtp; 550 one\r\n  two\r\nAction: delayed\r\n');
    expect(blocks).toHaveLength(2);
    expect(blocks[1]!.get('final-recipient')).toBe('rfc822; x@y');
    expect(blocks[1]!.get('action')).toBe('failed');
    expect(blocks[1]!.get('diagnostic-code')).toBe('smtp; 550 one two');
  });
});
