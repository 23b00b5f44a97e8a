import { describe, expect, it } from 'vitest';
import { readFromHeaders, readPlainMailbox, readSenderIdentity } from '../../src/replies/sender-identity.js';

describe('a From value read as one plain mailbox', () => {
  it.each([
    ['minister@fco.gov.example', 'minister@fco.gov.example'],
    ['Minister <Minister@FCO.gov.example>', 'minister@fco.gov.example'],
    ['"Smith, John" <j.smith@fco.gov.example>', 'j.smith@fco.gov.example'],
    ['J. Smith<j.smith@fco.gov.example>', 'j.smith@fco.gov.example'],
    ['Ministère des Affaires <m@diplomatie.gouv.example>', 'm@diplomatie.gouv.example'],
  ])('%s is %s', (value, address) => {
    expect(readPlainMailbox(value)).toEqual({ ok: true, address });
  });

  it.each([
    ['=?utf-8?B?PG1pbmlzdGVyQGZjby5nb3YuZXhhbXBsZT4=?=, attacker@evil.example', 'encoded word'],
    ['=?utf-8?Q?The_Minister?= <minister@fco.gov.example>', 'encoded word'],
    ['(minister@fco.gov.example) attacker@evil.example', 'comment'],
    ['Officials: minister@fco.gov.example;', 'group'],
    ['minister@fco.gov.example, attacker@evil.example', 'more than one mailbox'],
    ['"minister@fco.gov.example"@evil.example', 'quoted local part'],
    ['"a\\" <minister@fco.gov.example>" <attacker@evil.example>', 'escaped character'],
    ['<minister@fco.gov.example> <attacker@evil.example>', 'more than one address'],
    ['minister@fcö.gov.example', 'not plain ASCII'],
    ['"minister@fco.gov.example" <attacker@evil.example>', 'not one plain mailbox'],
    ['<@fco.gov.example:attacker@evil.example>', 'group'],
    ['', 'not one plain mailbox'],
  ])('%s is held (%s)', (value, reason) => {
    const result = readPlainMailbox(value);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });
});

describe('the sender identity of a message', () => {
  const raw = (headers: string) => Buffer.from(`${headers}\r\nSubject: s\r\n\r\nFrom: body@not.a.header\r\n`);

  it('is the one From header’s mailbox when DMARC and the parsed message read the same address', () => {
    expect(readSenderIdentity(raw('From: Minister\r\n <minister@fco.gov.example>'), ['minister@fco.gov.example'], 'Minister@fco.gov.example')).toEqual({
      ok: true,
      address: 'minister@fco.gov.example',
    });
  });

  it('is refused for two From headers, or when DMARC or the parser read another address', () => {
    expect(readFromHeaders(raw('From: a@x.example\r\nFROM : b@y.example'))).toHaveLength(2);
    expect(readSenderIdentity(raw('From: a@x.example\r\nFROM : b@y.example'), ['a@x.example', 'b@y.example'], 'a@x.example')).toMatchObject({ ok: false, reason: 'the message has 2 From headers' });
    expect(readSenderIdentity(raw('Subject: none'), [], undefined)).toMatchObject({ ok: false, reason: 'the message has no From header' });
    expect(readSenderIdentity(raw('From: a@x.example'), ['b@y.example'], 'a@x.example')).toMatchObject({ ok: false, reason: expect.stringContaining('DMARC check read') });
    expect(readSenderIdentity(raw('From: a@x.example'), undefined, 'a@x.example')).toMatchObject({ ok: false });
    expect(readSenderIdentity(raw('From: a@x.example'), ['a@x.example'], 'b@y.example')).toMatchObject({ ok: false, reason: expect.stringContaining('parsers disagree') });
  });
});
