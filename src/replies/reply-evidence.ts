/**
 * The authentication evidence recorded with a reply (`replies.authentication`, written by
 * process-inbound.ts), read back for people: each DKIM signature with its result and signing
 * domain, SPF, DMARC, the From address DMARC evaluated, and whether it was an allowed sender when the
 * reply arrived. Replies recorded before the signing domains and the allowed-sender match were kept
 * say so ("not recorded") rather than guess; a reply typed in by the organiser has no evidence.
 */
import { z } from 'zod';

const stored = z.object({
  entered: z.string().optional(),
  dkim: z.array(z.string()).catch([]).default([]),
  dkimSignatures: z
    .array(z.object({ result: z.string().catch('none'), domain: z.string().nullable().catch(null), aligned: z.string().nullable().catch(null) }))
    .optional()
    .catch(undefined),
  spf: z.string().catch('none').default('none'),
  dmarc: z.string().catch('none').default('none'),
  headerFrom: z.array(z.string()).catch([]).default([]),
  allowedSender: z.boolean().optional().catch(undefined),
  error: z.string().optional().catch(undefined),
});

export type ReplyEvidenceView =
  | { kind: 'entered'; by: string }
  | {
      kind: 'received';
      dkim: Array<{ result: string; domain: string | null; aligned: string | null }>;
      spf: string;
      dmarc: string;
      headerFrom: string[];
      /** Undefined: not recorded (a reply from before it was). */
      allowedSender: boolean | undefined;
      error: string | undefined;
    };

export function readReplyEvidence(authentication: string | null): ReplyEvidenceView {
  let raw: unknown;
  try {
    raw = authentication ? JSON.parse(authentication) : {};
  } catch {
    raw = {};
  }
  const parsed = stored.safeParse(raw);
  const evidence = parsed.success ? parsed.data : stored.parse({});
  if (evidence.entered) return { kind: 'entered', by: evidence.entered };
  return {
    kind: 'received',
    dkim: evidence.dkimSignatures ?? evidence.dkim.map((result) => ({ result, domain: null, aligned: null })),
    spf: evidence.spf,
    dmarc: evidence.dmarc,
    headerFrom: evidence.headerFrom,
    allowedSender: evidence.allowedSender,
    error: evidence.error,
  };
}
