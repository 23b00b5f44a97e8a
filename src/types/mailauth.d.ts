// mailauth ships no type declarations; this covers what we call (dkimSign only from tests).
declare module 'mailauth' {
  export interface AuthResultPart {
    /** aligned: the From domain a DKIM signature aligns with (DMARC), or false. */
    status?: { result?: string; comment?: string; aligned?: string | false };
    [key: string]: unknown;
  }
  export interface AuthenticateResult {
    /** headerFrom: every address mailauth's parser read from the From header(s); DMARC runs only when there is exactly one. */
    dkim?: { results?: AuthResultPart[]; headerFrom?: string[] };
    spf?: AuthResultPart | false;
    dmarc?: (AuthResultPart & { domain?: string }) | false;
    arc?: AuthResultPart;
    headers?: string;
  }
  export function authenticate(
    message: string | Buffer,
    options?: {
      ip?: string;
      helo?: string;
      sender?: string;
      mta?: string;
      disableArc?: boolean;
      disableBimi?: boolean;
      resolver?: (name: string, rrtype: string) => Promise<unknown>;
    },
  ): Promise<AuthenticateResult>;
}

declare module 'mailauth/lib/dkim/sign.js' {
  export function dkimSign(
    message: string | Buffer,
    options: { canonicalization?: string; signatureData: { signingDomain: string; selector: string; privateKey: string | Buffer; algorithm?: string }[] },
  ): Promise<{ signatures: string; errors: unknown[] }>;
}
