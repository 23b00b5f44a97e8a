/**
 * DKIM signing (RFC 6376): rsa-sha256, relaxed/relaxed canonicalization, the signature header put
 * first. Written for a broadcast's volume: the key is parsed once per process (a PEM parse per
 * message was a large share of signing), and the body is canonicalized with a few regular
 * expressions over the whole text instead of byte by byte through a stream.
 */
import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { domainToASCII } from 'node:url';

export interface DkimKey {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

/** Takes a whole message (CRLF line ends) and returns it with a DKIM-Signature header first. */
export type DkimSigner = (message: string) => string;

export function makeDkimSigner(key: DkimKey, signedHeaderNames: string[]): DkimSigner {
  const privateKey: KeyObject = createPrivateKey(key.privateKey);
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error(`DKIM_PRIVATE_KEY must be an RSA key (got ${privateKey.asymmetricKeyType})`);
  const domain = domainToASCII(key.domainName) || key.domainName;
  const wanted = signedHeaderNames.map((name) => name.toLowerCase());

  return function signMessage(message) {
    const split = message.indexOf('\r\n\r\n');
    const head = split < 0 ? message : message.slice(0, split + 2);
    const body = split < 0 ? '' : message.slice(split + 4);
    const fields = lastFieldByName(head);
    const names: string[] = [];
    let canonicalHeaders = '';
    for (const name of wanted) {
      const value = fields.get(name);
      if (value === undefined) continue;
      names.push(name);
      canonicalHeaders += `${name}:${relaxedValue(value)}\r\n`;
    }
    const bodyHash = createHash('sha256').update(relaxedBody(body)).digest('base64');
    const unsigned = `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=${domain}; q=dns/txt;\r\n s=${key.keySelector}; bh=${bodyHash};\r\n h=${names.join(':')};\r\n b=`;
    const signature = sign('sha256', Buffer.from(`${canonicalHeaders}dkim-signature:${relaxedValue(unsigned.slice(unsigned.indexOf(':') + 1))}`), privateKey).toString('base64');
    return `${unsigned}${foldBase64(signature)}\r\n${message}`;
  };
}

/**
 * Each header field's value by lower-case name; where a name occurs more than once, the last
 * occurrence, which is the one a verifier takes first (RFC 6376 §5.4.2).
 */
function lastFieldByName(head: string): Map<string, string> {
  const fields = new Map<string, string>();
  // A field runs until a line break not followed by whitespace (a folded line continues it).
  for (const field of head.split(/\r\n(?![ \t])/)) {
    const colon = field.indexOf(':');
    if (colon > 0) fields.set(field.slice(0, colon).trim().toLowerCase(), field.slice(colon + 1));
  }
  return fields;
}

/** Relaxed header canonicalization (RFC 6376 §3.4.2) of a field's value: unfolded, runs of whitespace one space, trimmed. */
function relaxedValue(value: string): string {
  return value.replace(/\r\n/g, '').replace(/[ \t]+/g, ' ').trim();
}

/**
 * Relaxed body canonicalization (RFC 6376 §3.4.4): whitespace at line ends removed, other runs of
 * whitespace one space, empty lines at the end removed, and a non-empty body ending in one CRLF.
 */
export function relaxedBody(body: string): string {
  const canonical = body.replace(/[ \t]+(?=\r\n|$)/g, '').replace(/[ \t]{2,}|\t/g, ' ').replace(/(\r\n)+$/, '');
  return canonical.length === 0 ? '' : `${canonical}\r\n`;
}

function foldBase64(signature: string): string {
  return signature.replace(/.{72}(?=.)/g, '$&\r\n ');
}
