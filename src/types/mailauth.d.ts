// mailauth ships no type declarations; this covers the one function we call.
declare module 'mailauth' {
  export interface AuthResultPart {
    status?: { result?: string; comment?: string };
    [key: string]: unknown;
  }
  export interface AuthenticateResult {
    dkim?: { results?: AuthResultPart[] };
    spf?: AuthResultPart | false;
    dmarc?: (AuthResultPart & { domain?: string }) | false;
    arc?: AuthResultPart;
    headers?: string;
  }
  export function authenticate(
    message: string | Buffer,
    options?: {
      ip?: string;
      trustReceived?: boolean;
      helo?: string;
      sender?: string;
      mta?: string;
      disableArc?: boolean;
      disableBimi?: boolean;
      resolver?: (name: string, rrtype: string) => Promise<unknown>;
    },
  ): Promise<AuthenticateResult>;
}
