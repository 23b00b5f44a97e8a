/**
 * Which files of a received reply are forwarded to supporters: documents and images only, decided
 * by the file name's extension, the declared type and the content's own signature (magic bytes),
 * which must all agree, so an executable renamed `letter.pdf` or declared `application/pdf` stays
 * behind. Anything else (programs, HTML, archives, scripts) is withheld, and the organiser sees
 * which files and why. Limits on count and total size keep one message from carrying thousands of
 * files into every supporter's mail.
 */
import type { WithheldAttachments } from '../db/schema.js';

interface Kind {
  /** Extensions, lower case, without the dot. */
  extensions: string[];
  /** Declared types that mean this kind; the first is what the file is forwarded as. */
  types: string[];
  /** What file-type must find in the content; `null`: text, which has no signature and holds no NUL byte. */
  sniffed: string[] | null;
}

const ZIP_DOCUMENT = (ext: string, type: string): Kind => ({ extensions: [ext], types: [type], sniffed: [ext] });
const OLE_DOCUMENT = (ext: string, types: string[]): Kind => ({ extensions: [ext], types, sniffed: ['cfb'] });

const KINDS: Kind[] = [
  { extensions: ['pdf'], types: ['application/pdf', 'application/x-pdf'], sniffed: ['pdf'] },
  { extensions: ['png'], types: ['image/png'], sniffed: ['png'] },
  { extensions: ['jpg', 'jpeg'], types: ['image/jpeg', 'image/pjpeg'], sniffed: ['jpg'] },
  { extensions: ['gif'], types: ['image/gif'], sniffed: ['gif'] },
  { extensions: ['webp'], types: ['image/webp'], sniffed: ['webp'] },
  OLE_DOCUMENT('doc', ['application/msword']),
  OLE_DOCUMENT('xls', ['application/vnd.ms-excel']),
  OLE_DOCUMENT('ppt', ['application/vnd.ms-powerpoint']),
  ZIP_DOCUMENT('docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'),
  ZIP_DOCUMENT('xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
  ZIP_DOCUMENT('pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'),
  ZIP_DOCUMENT('odt', 'application/vnd.oasis.opendocument.text'),
  ZIP_DOCUMENT('ods', 'application/vnd.oasis.opendocument.spreadsheet'),
  ZIP_DOCUMENT('odp', 'application/vnd.oasis.opendocument.presentation'),
  { extensions: ['rtf'], types: ['application/rtf', 'text/rtf'], sniffed: ['rtf'] },
  { extensions: ['txt'], types: ['text/plain'], sniffed: null },
  { extensions: ['csv'], types: ['text/csv', 'text/comma-separated-values'], sniffed: null },
];

/** Declared types that say nothing (mail clients use them for any file): the extension decides. */
const UNTYPED = new Set(['application/octet-stream', 'binary/octet-stream', 'application/x-download', 'application/download']);

/** How many withheld files are listed by name; the count covers the rest. */
const LISTED_WITHHELD = 100;

export interface ReceivedAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface AttachmentLimits {
  maxCount: number;
  maxTotalBytes: number;
}

function extensionOf(filename: string): string | undefined {
  const match = /\.([A-Za-z0-9]{1,10})$/.exec(filename.trim());
  return match ? match[1]!.toLowerCase() : undefined;
}

function bareType(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

/** The kind of a file, or why it is not one we forward. */
async function kindOf(attachment: ReceivedAttachment): Promise<{ kind: Kind } | { reason: string }> {
  const extension = extensionOf(attachment.filename);
  const declared = bareType(attachment.contentType);
  const byExtension = extension === undefined ? undefined : KINDS.find((kind) => kind.extensions.includes(extension));
  const byType = KINDS.find((kind) => kind.types.includes(declared));
  if (extension !== undefined && !byExtension) return { reason: `.${extension} files are not forwarded (only documents and images)` };
  if (!UNTYPED.has(declared) && !byType) return { reason: `${declared} files are not forwarded (only documents and images)` };
  if (byExtension && byType && byExtension !== byType) return { reason: `the name (.${extension}) and the declared type (${declared}) disagree` };
  const kind = byExtension ?? byType;
  if (!kind) return { reason: 'a file with neither a known name nor a known type is not forwarded' };

  // Loaded on first use: a worker that only sends broadcasts never needs it.
  const { fileTypeFromBuffer } = await import('file-type');
  const sniffed = (await fileTypeFromBuffer(attachment.content))?.ext;
  if (kind.sniffed === null) {
    if (sniffed !== undefined) return { reason: `declared as text, but the content is ${sniffed}` };
    if (attachment.content.includes(0)) return { reason: 'declared as text, but the content is binary' };
  } else if (sniffed === undefined || !kind.sniffed.includes(sniffed)) {
    return { reason: `the content is ${sniffed ?? 'not recognisable'}, not ${kind.extensions[0]}` };
  }
  return { kind };
}

/**
 * Splits a reply's files into those forwarded (in order, each with its canonical type, within the
 * limits) and those withheld, with a reason each.
 */
export async function sortAttachments(
  attachments: ReceivedAttachment[],
  limits: AttachmentLimits,
): Promise<{ forwarded: ReceivedAttachment[]; withheld: WithheldAttachments }> {
  const forwarded: ReceivedAttachment[] = [];
  const withheld: WithheldAttachments = { count: 0, items: [] };
  let totalBytes = 0;
  const withhold = (attachment: ReceivedAttachment, reason: string) => {
    withheld.count += 1;
    if (withheld.items.length < LISTED_WITHHELD) {
      withheld.items.push({ filename: attachment.filename.slice(0, 255), contentType: bareType(attachment.contentType).slice(0, 255), reason });
    }
  };
  for (const attachment of attachments) {
    if (forwarded.length >= limits.maxCount) {
      withhold(attachment, `over the limit of ${limits.maxCount} files per reply`);
      continue;
    }
    const verdict = await kindOf(attachment);
    if ('reason' in verdict) {
      withhold(attachment, verdict.reason);
      continue;
    }
    if (totalBytes + attachment.content.length > limits.maxTotalBytes) {
      withhold(attachment, `over the limit of ${limits.maxTotalBytes} bytes of files per reply`);
      continue;
    }
    totalBytes += attachment.content.length;
    forwarded.push({ ...attachment, contentType: verdict.kind.types[0]! });
  }
  return { forwarded, withheld };
}
