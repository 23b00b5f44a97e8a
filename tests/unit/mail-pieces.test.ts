import { describe, expect, it } from 'vitest';
import { classifySendError } from '../../src/mail/smtp-outcome.js';
import { csvCell, csvRow } from '../../src/supporters/csv.js';
import { emailHash, normaliseEmail } from '../../src/supporters/email-address.js';
import { escapeHtml, html, trustedHtml } from '../../src/web/html.js';

describe('classifying a failed send', () => {
  it.each([
    [{ responseCode: 550, response: '550 5.1.1 No such user' }, 'permanent', '550 5.1.1 No such user'],
    [{ responseCode: 552, response: '552 Mailbox full' }, 'permanent', '552 Mailbox full'],
    [{ responseCode: 451, response: '451 4.3.0 Try later' }, 'transient', '451 4.3.0 Try later'],
    [{ responseCode: 421, response: '421 Too many connections' }, 'transient', '421 Too many connections'],
    [{ responseCode: 503, response: '503 Bad sequence' }, 'transient', '503 Bad sequence'],
    [{ code: 'ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:25' }, 'connection', 'ECONNECTION: connect ECONNREFUSED 127.0.0.1:25'],
    [{ code: 'ETIMEDOUT', message: 'Timeout' }, 'connection', 'ETIMEDOUT: Timeout'],
    [new Error('socket hang up'), 'connection', 'socket hang up'],
  ])('%j is %s', (error, expectedClass, response) => {
    expect(classifySendError(error)).toMatchObject({ class: expectedClass, response });
  });

  it('tells a refused recipient (a hard bounce) from a refused message', () => {
    expect(classifySendError({ responseCode: 550, code: 'EENVELOPE', command: 'RCPT TO', response: '550 No such user' }).recipientRefused).toBe(true);
    expect(classifySendError({ responseCode: 554, code: 'EMESSAGE', command: 'DATA', response: '554 Spam' }).recipientRefused).toBe(false);
    expect(classifySendError({ responseCode: 451, code: 'EENVELOPE', command: 'RCPT TO', response: '451 Later' }).recipientRefused).toBe(false);
  });
});

describe('CSV cells', () => {
  it.each([
    ['plain', '"plain"'],
    ['=SUM(A1:A9)', `"'=SUM(A1:A9)"`],
    ['+44 20 7946 0000', `"'+44 20 7946 0000"`],
    ['-1', `"'-1"`],
    ['@cmd', `"'@cmd"`],
    ['\tTab', `"'\tTab"`],
    ['\r=1+1', `"'\r=1+1"`],
    ['\n=1+1', `"'\n=1+1"`],
    ['a,b', '"a,b"'],
    ['a;b', '"a;b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    [null, '""'],
  ])('%j becomes %j', (value, cell) => expect(csvCell(value)).toBe(cell));

  it('end rows with CRLF (RFC 4180)', () => expect(csvRow(['a', 'b'])).toBe('"a","b"\r\n'));

  /** A spreadsheet's reading of a CSV line with the given separator: RFC 4180 quotes, then the text after a closing quote appended as it is. */
  function readLine(line: string, separator: string): string[] {
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const char = line[i]!;
      if (quoted && char === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = !quoted;
      else if (!quoted && char === separator) {
        cells.push(cell);
        cell = '';
      } else cell += char;
    }
    return [...cells, cell];
  }

  const hostile = ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1', 'a;=1+1', 'a,=1+1', 'x";=1+1;"', '"=1"', ';=cmd', ',=cmd', 'Jane Doe'];

  it.each([',', ';'])('read with %j as separator: no cell starts a formula, and a cell with ; or , stays one cell', (separator) => {
    for (const first of hostile) {
      for (const second of hostile) {
        const line = csvRow([first, second]).replace(/\r\n$/, '');
        const cells = readLine(line, separator);
        for (const cell of cells) expect(cell, `${JSON.stringify(line)} → ${JSON.stringify(cells)}`).not.toMatch(/^[=+\-@\t\r\n]/);
        // With its own separator, a row is the two cells it was made of, each as written.
        if (separator === ',') expect(cells.map((cell) => cell.replace(/^'/, ''))).toEqual([first, second]);
        else expect(cells).toHaveLength(1);
      }
    }
  });
});

describe('email addresses', () => {
  it('are trimmed and lower-cased whole, non-ASCII capitals too, whatever the locale', () => {
    expect(normaliseEmail('  Jane.Doe@Example.ORG ')).toBe('jane.doe@example.org');
    expect(normaliseEmail('ÉLODIE.ŁUKASIEWICZ@Exemple.FR')).toBe('élodie.łukasiewicz@exemple.fr');
    expect(normaliseEmail('ΣΟΦΙΑ@example.gr')).toBe(normaliseEmail('σοφια@example.gr'));
  });
  it('hash the same whatever the case', () => {
    expect(emailHash('Jane@Example.org')).toEqual(emailHash('jane@example.org'));
    expect(emailHash('jane@example.org')).not.toEqual(emailHash('john@example.org'));
  });
});

describe('the html template tag', () => {
  it('escapes interpolated text and keeps trusted HTML', () => {
    const name = '<img src=x onerror=alert(1)> & "co"';
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;img src=x onerror=alert(1)&gt; &amp; &quot;co&quot;">&lt;img src=x onerror=alert(1)&gt; &amp; &quot;co&quot;</p>',
    );
    expect(html`<div>${trustedHtml('<b>ok</b>')}</div>`.value).toBe('<div><b>ok</b></div>');
    expect(escapeHtml("'")).toBe('&#39;');
  });
});
