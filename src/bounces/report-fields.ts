/**
 * The field blocks of a machine-readable report part (RFC 3464 message/delivery-status, RFC 6533
 * message/global-delivery-status, RFC 5965 message/feedback-report): header-like lines, folded
 * continuation lines joined, blocks separated by blank lines. Names are read in any letter case.
 */
export type FieldBlock = Map<string, string>;

export function readFieldBlocks(text: string): FieldBlock[] {
  const blocks: FieldBlock[] = [];
  let block: FieldBlock = new Map();
  let last: string | undefined;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (line.trim() === '') {
      if (block.size > 0) blocks.push(block);
      block = new Map();
      last = undefined;
      continue;
    }
    if (/^[ \t]/.test(line) && last) {
      block.set(last, `${block.get(last)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    // A repeated field (Reported-Domain, Source-IP …) keeps its first value: enough for what we read.
    if (!block.has(last)) block.set(last, line.slice(colon + 1).trim());
  }
  if (block.size > 0) blocks.push(block);
  return blocks;
}

/** `rfc822; jane@example.org` → `jane@example.org` (the address type is dropped, <> too). */
export function addressOfField(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const address = value.includes(';') ? value.slice(value.indexOf(';') + 1) : value;
  return address.trim().replace(/^<|>$/g, '').trim() || undefined;
}

/** `smtp; 550 5.1.1 <x>: Recipient address rejected` → the text after the type. */
export function diagnosticOfField(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return (/^[a-z0-9-]+\s*;/i.test(value) ? value.slice(value.indexOf(';') + 1) : value).trim() || undefined;
}

const ENHANCED_STATUS = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;

/** The first enhanced status code (RFC 3463) in a text, as `5.1.1`. */
export function enhancedStatusIn(text: string | undefined): string | undefined {
  const match = text ? ENHANCED_STATUS.exec(text) : null;
  return match ? `${match[1]}.${Number(match[2])}.${Number(match[3])}` : undefined;
}
