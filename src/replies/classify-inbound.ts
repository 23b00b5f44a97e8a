/**
 * What kind of message arrived: an automatic one (out-of-office, list mail, a delivery status
 * notification), or a person's reply. Pure functions over the parsed message, tested alone.
 */
import type { Email } from 'postal-mime';

export function headerOf(email: Email, name: string): string | undefined {
  return email.headers.find((header) => header.key === name.toLowerCase())?.value;
}

/** A delivery status notification (RFC 3464): multipart/report; report-type=delivery-status. */
export function isDeliveryReport(email: Email): boolean {
  const type = headerOf(email, 'content-type') ?? '';
  return /multipart\/report/i.test(type) && /report-type\s*=\s*"?delivery-status/i.test(type);
}

/** Why this message was sent by a machine rather than a person, or undefined (RFC 3834 and practice). */
export function automaticReason(email: Email): string | undefined {
  const autoSubmitted = headerOf(email, 'auto-submitted');
  if (autoSubmitted && autoSubmitted.trim().toLowerCase() !== 'no') return `Auto-Submitted: ${autoSubmitted.trim()}`;
  const precedence = headerOf(email, 'precedence');
  if (precedence && /^(bulk|junk|list|auto_reply)$/i.test(precedence.trim())) return `Precedence: ${precedence.trim()}`;
  for (const name of ['x-autoreply', 'x-autorespond', 'x-auto-response-suppress']) {
    if (headerOf(email, name)) return `${name} header`;
  }
  if (/^(out of (the )?office|automatic reply|auto(matic)?[- ]?reply|away from)/i.test(email.subject?.trim() ?? '')) {
    return `subject "${email.subject?.trim()}"`;
  }
  return undefined;
}

/** Whether `address` is covered by the campaign's allowed senders (whole addresses or domains and their subdomains). */
export function isAllowedSender(address: string, allowed: string[]): boolean {
  const lower = address.trim().toLowerCase();
  const domain = lower.slice(lower.lastIndexOf('@') + 1);
  return allowed.some((entry) => (entry.includes('@') ? entry === lower : domain === entry || domain.endsWith(`.${entry}`)));
}

/** What is known about a received reply when trust is decided. */
export interface ReplyEvidence {
  /** Whether the message has a From address that could be read at all. */
  hasFromAddress: boolean;
  /** The sender as DMARC evaluated it, read as one plain mailbox, or why it could not be (sender-identity.ts). */
  identity: { ok: true; address: string } | { ok: false; reason: string };
  /** Why a machine sent it (automaticReason), if one did. */
  automatic: string | undefined;
  /** The campaign's allowed official senders: addresses, or domains with their subdomains. */
  allowedSenders: string[];
  /** The DMARC result: pass, fail, none … */
  dmarc: string;
  /** INBOUND_REQUIRE_DMARC. */
  requireDmarc: boolean;
}

/** Every reason a reply is held for the organiser instead of being trusted; none: trusted. */
export function reasonsToHold(evidence: ReplyEvidence): string[] {
  const reasons: string[] = [];
  if (!evidence.hasFromAddress) reasons.push('malformed: no readable From address');
  else if (!evidence.identity.ok) reasons.push(evidence.identity.reason);
  if (evidence.automatic) reasons.push(`automatic reply (${evidence.automatic}), never forwarded`);
  if (evidence.identity.ok && !isAllowedSender(evidence.identity.address, evidence.allowedSenders)) {
    reasons.push(`sender ${evidence.identity.address} is not an allowed official sender`);
  }
  if (evidence.requireDmarc && evidence.dmarc !== 'pass') reasons.push(`DMARC did not pass (${evidence.dmarc})`);
  return reasons;
}
