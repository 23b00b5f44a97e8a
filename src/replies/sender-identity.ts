/**
 * Who a reply is from, for trust. DMARC (mailauth) reads the raw From header with one address
 * parser; the message text comes from another (postal-mime), which decodes RFC 2047 encoded words
 * first. A From header built so the two disagree — "=?utf-8?B?PG1pbmlzdGVyQGdvdi5leGFtcGxlPg==?=,
 * attacker@evil.example" is <minister@gov.example> to one and attacker@evil.example to the other —
 * once let an attacker's own DMARC pass vouch for an allowed official's address. So a reply's
 * sender is the address DMARC evaluated, and only when the raw header is one plain mailbox that
 * every parser must read the same way: no encoded words, comments, groups, quoted local parts,
 * escapes or second mailboxes. Anything else is held with the reason, never guessed at.
 */

export type SenderIdentity = { ok: true; address: string } | { ok: false; reason: string };

const ATEXT = "A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-";
const LOCAL = `[${ATEXT}]+(?:\\.[${ATEXT}]+)*`;
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const ADDRESS = `${LOCAL}@(?:${LABEL}\\.)+${LABEL}`;
// Display-name words: atoms (with the dots people put in initials, and raw UTF-8 text) or quoted
// strings without escapes or address characters, so no parser can find an address inside a name.
const WORD = `(?:[${ATEXT}.\\u0080-\\uffff]+|"[^"\\\\<>@]*")`;
const PLAIN_MAILBOX = new RegExp(`^(?:${WORD}(?:[ \\t]+${WORD})*[ \\t]*)?<(${ADDRESS})>$|^(${ADDRESS})$`);
const MAX_HEADER_LENGTH = 998;

/**
 * The values of the message's From header fields, unfolded. Header lines are split and keyed as
 * mailauth does (lines end at LF or CRLF, the name is what comes before the first colon), so a
 * header that hides from one reader is still counted here.
 */
export function readFromHeaders(raw: Buffer): string[] {
  const text = raw.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  const lines = (end < 0 ? text : text.slice(0, end)).split(/\r?\n/);
  const fields: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && fields.length > 0) {
      fields[fields.length - 1] += line;
      continue;
    }
    fields.push(line);
  }
  return fields.filter((field) => /^[^:]*:/.test(field) && field.slice(0, field.indexOf(':')).trim().toLowerCase() === 'from').map((field) => field.slice(field.indexOf(':') + 1));
}

/** What makes a From value other than one plain mailbox, in words the organiser can act on. */
function describeStructure(value: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) return 'it holds control characters';
  if (value.includes('=?')) return 'it holds an encoded word (=?…?=), which mail programs decode differently';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\') return 'it holds an escaped character';
    if (c === '"') {
      quoted = !quoted;
      if (!quoted && value[i + 1] === '@') return 'its address has a quoted local part';
      continue;
    }
    if (quoted) continue;
    if (c === '(' || c === ')') return 'it holds a comment in parentheses';
    if (c === ':' || c === ';') return 'it holds a group of addresses';
    if (c === ',') return 'it holds more than one mailbox';
  }
  if (quoted) return 'it has an unclosed quote';
  if ((value.match(/</g) ?? []).length > 1 || (value.match(/@/g) ?? []).length > 1) return 'it holds more than one address';
  if (/[^\u0020-\u007e]/.test(value.slice(value.lastIndexOf('<') + 1))) return 'its address is not plain ASCII (internationalised addresses are checked by hand)';
  return undefined;
}

/** The address of a From value that is exactly one plain mailbox ("Name <a@b.example>" or "a@b.example"), lower-cased. */
export function readPlainMailbox(value: string): SenderIdentity {
  const trimmed = value.trim();
  if (trimmed.length > MAX_HEADER_LENGTH) return { ok: false, reason: 'the From header is longer than a header line may be' };
  const structure = describeStructure(trimmed);
  const match = structure ? null : PLAIN_MAILBOX.exec(trimmed);
  if (!match) return { ok: false, reason: `the From header is not one plain mailbox: ${structure ?? 'it is not "Name <address>" or a bare address'}` };
  return { ok: true, address: (match[1] ?? match[2]!).toLowerCase() };
}

/**
 * The reply's sender for trust: the one plain mailbox in the one From header, which must be the
 * address DMARC evaluated (`dmarcFrom`, mailauth's headerFrom) and the address the parsed message
 * shows (`shownFrom`, postal-mime's).
 */
export function readSenderIdentity(raw: Buffer, dmarcFrom: string[] | undefined, shownFrom: string | undefined): SenderIdentity {
  const fields = readFromHeaders(raw);
  if (fields.length !== 1) return { ok: false, reason: fields.length === 0 ? 'the message has no From header' : `the message has ${fields.length} From headers` };
  const quoted = JSON.stringify(fields[0]!.trim().slice(0, 200));
  const plain = readPlainMailbox(fields[0]!);
  if (!plain.ok) return { ok: false, reason: `${plain.reason} (From: ${quoted})` };
  if (dmarcFrom?.length !== 1 || dmarcFrom[0]!.toLowerCase() !== plain.address) {
    return { ok: false, reason: `the DMARC check read the From header as ${dmarcFrom?.length ? dmarcFrom.join(', ') : 'no address'}, not ${plain.address}` };
  }
  if (shownFrom?.trim().toLowerCase() !== plain.address) {
    return { ok: false, reason: `mail parsers disagree on the sender: ${plain.address} or ${shownFrom || 'no address'}` };
  }
  return plain;
}
