/**
 * What a message sent to one of our return paths reports: a failure (permanent, 5.x.x, or transient,
 * 4.x.x, given up by the remote system), a delay (4.x.x, still being retried), a complaint, or
 * nothing we act on. Pure: a parsed message (postal-mime) in, a reading out.
 *
 * Read in this order: an ARF feedback report (RFC 5965, `message/feedback-report`); an RFC 3464
 * delivery status notification (`message/delivery-status`, or RFC 6533's global form), whose
 * per-recipient blocks say `Action`, `Status` and `Diagnostic-Code`; else the human-readable text
 * of the non-standard shapes still in use (older Exim and qmail, some appliances), from the SMTP
 * reply it quotes. Which row and address a report is about is never read from the report: the
 * return path's token says (return-path.ts), so the report's own claims cannot point elsewhere.
 */
import type { Email } from 'postal-mime';
import { automaticReason } from '../replies/classify-inbound.js';
import { addressOfField, diagnosticOfField, enhancedStatusIn, readFieldBlocks, type FieldBlock } from './report-fields.js';

export type ReportShape = 'arf' | 'rfc3464' | 'plain text';

export type ReportReading =
  /** `permanent`: a 5.x.x status. A 4.x.x failure is the remote system giving up after retries: a soft bounce. */
  | { kind: 'failed'; permanent: boolean; status: string; diagnostic: string | undefined; recipient: string | undefined; shape: ReportShape }
  | { kind: 'delayed'; status: string | undefined; diagnostic: string | undefined; recipient: string | undefined; shape: ReportShape }
  | { kind: 'complaint'; feedbackType: string; recipient: string | undefined; shape: 'arf' }
  /** Read, and nothing to act on: a success notification, an ARF report that is no complaint, an automatic reply. */
  | { kind: 'no action'; why: string; shape: ReportShape | undefined };

const DIAGNOSTIC_CHARS = 500;

function partText(email: Email, types: string[]): string | undefined {
  const part = email.attachments.find((a) => types.includes(a.mimeType.toLowerCase()));
  if (!part) return undefined;
  return typeof part.content === 'string' ? part.content : new TextDecoder().decode(part.content);
}

function readFeedbackReport(fields: FieldBlock): ReportReading {
  const feedbackType = (fields.get('feedback-type') ?? '').trim().toLowerCase();
  const recipient = addressOfField(fields.get('original-rcpt-to'));
  if (feedbackType === 'abuse') return { kind: 'complaint', feedbackType, recipient, shape: 'arf' };
  return { kind: 'no action', why: `feedback report of type "${feedbackType || 'none'}", not a complaint`, shape: 'arf' };
}

/** The status of a recipient block: its Status, made specific by the diagnostic's when it says only X.0.0. */
function statusOf(block: FieldBlock, diagnostic: string | undefined): string | undefined {
  const stated = enhancedStatusIn(block.get('status'));
  const quoted = enhancedStatusIn(diagnostic);
  if (stated && quoted && stated.endsWith('.0.0') && quoted[0] === stated[0]) return quoted;
  return stated ?? quoted;
}

function readDeliveryStatus(blocks: FieldBlock[]): ReportReading {
  // The first block is about the message; the rest, one per recipient (there is one: a VERP address
  // per message). Some systems write a single block: it is read as the recipient's too.
  const recipients = (blocks.length > 1 ? blocks.slice(1) : blocks).map((block) => {
    const diagnostic = diagnosticOfField(block.get('diagnostic-code'))?.slice(0, DIAGNOSTIC_CHARS);
    const status = statusOf(block, diagnostic);
    // An Action left out is read from the status class, as some systems leave it out.
    const action = (block.get('action') ?? (status?.startsWith('5') ? 'failed' : status?.startsWith('4') ? 'delayed' : '')).trim().toLowerCase();
    const recipient = addressOfField(block.get('final-recipient') ?? block.get('original-recipient'));
    return { action, status, diagnostic, recipient };
  });
  const failed = recipients.find((r) => r.action === 'failed');
  if (failed) {
    const status = failed.status ?? '5.0.0';
    return { kind: 'failed', permanent: !status.startsWith('4'), status, diagnostic: failed.diagnostic, recipient: failed.recipient, shape: 'rfc3464' };
  }
  const delayed = recipients.find((r) => r.action === 'delayed');
  if (delayed) return { kind: 'delayed', status: delayed.status, diagnostic: delayed.diagnostic, recipient: delayed.recipient, shape: 'rfc3464' };
  const actions = [...new Set(recipients.map((r) => r.action || 'none'))].join(', ');
  return { kind: 'no action', why: `delivery status notification with action ${actions || 'none'}`, shape: 'rfc3464' };
}

/** An SMTP reply quoted at the start of a line or after a colon: `550 5.1.1 …`, `550-5.1.1 …`, `: 421 …`. */
const QUOTED_REPLY = /(?:^|:)[ \t]*([45]\d\d)[ -](.*)$/m;
const DELAY_WORDS = /\b(delayed|has not (yet )?been delivered|will (continue to )?(be )?retr(y|ied)|still trying|deferred)\b/i;
const UNKNOWN_MAILBOX = /\b(user unknown|unknown user|no such (user|mailbox|recipient)|mailbox (is )?unavailable|does not exist|recipient address rejected|invalid recipient|no mailbox here)\b/i;

function readPlainText(email: Email): ReportReading {
  const text = (email.text ?? email.html?.replace(/<[^>]*>/g, ' ') ?? '').replace(/\r\n?/g, '\n');
  const reply = QUOTED_REPLY.exec(text);
  const status = enhancedStatusIn(reply ? `${reply[1]} ${reply[2]}` : undefined) ?? enhancedStatusIn(text) ?? (reply ? `${reply[1]![0]}.0.0` : undefined);
  const diagnostic = (reply ? `${reply[1]} ${reply[2]}` : text.split('\n').find((line) => enhancedStatusIn(line) || UNKNOWN_MAILBOX.test(line)))
    ?.trim()
    .slice(0, DIAGNOSTIC_CHARS);
  if (status?.startsWith('5')) return { kind: 'failed', permanent: true, status, diagnostic, recipient: undefined, shape: 'plain text' };
  if (status?.startsWith('4')) {
    if (DELAY_WORDS.test(text)) return { kind: 'delayed', status, diagnostic, recipient: undefined, shape: 'plain text' };
    return { kind: 'failed', permanent: false, status, diagnostic, recipient: undefined, shape: 'plain text' };
  }
  if (UNKNOWN_MAILBOX.test(text)) return { kind: 'failed', permanent: true, status: '5.0.0', diagnostic, recipient: undefined, shape: 'plain text' };
  const automatic = automaticReason(email);
  return { kind: 'no action', why: automatic ? `an automatic reply (${automatic})` : 'no delivery status or complaint could be read', shape: undefined };
}

export function readReport(email: Email): ReportReading {
  const feedback = partText(email, ['message/feedback-report']);
  if (feedback !== undefined) return readFeedbackReport(readFieldBlocks(feedback)[0] ?? new Map<string, string>());
  const status = partText(email, ['message/delivery-status', 'message/global-delivery-status']);
  if (status !== undefined) return readDeliveryStatus(readFieldBlocks(status));
  // A report that says it is one but whose part could not be found is read like the plain-text shapes.
  return readPlainText(email);
}
