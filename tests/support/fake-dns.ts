/**
 * A DNS zone inside the test process, so DKIM, SPF and DMARC give real answers offline. mailauth
 * looks records up through node:dns's promise `resolve` whenever it is not handed a resolver (as
 * in production), so the zone is installed there: the worker's own code path, unchanged, sees it.
 * Real DKIM keys are generated here and messages signed with them by mailauth's signer.
 */
import { generateKeyPairSync } from 'node:crypto';
import dns from 'node:dns';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';

/** name (any case) → record type → answers in node:dns's shapes (TXT: string chunks per record). */
export type Zone = Record<string, Partial<Record<'TXT' | 'A' | 'AAAA' | 'MX', unknown[]>>>;

function dnsError(code: 'ENOTFOUND' | 'ENODATA', name: string, rrtype: string): Error {
  return Object.assign(new Error(`${code} ${rrtype} ${name}`), { code, hostname: name });
}

/** Answers every lookup from `zone` (NXDOMAIN for unknown names) until the returned function is called. */
export function installFakeDns(zone: Zone): () => void {
  const records = new Map(Object.entries(zone).map(([name, types]) => [name.toLowerCase().replace(/\.$/, ''), types]));
  const original = dns.promises.resolve;
  const fake = async (name: string, rrtype = 'A') => {
    const types = records.get(name.toLowerCase().replace(/\.$/, ''));
    if (!types) throw dnsError('ENOTFOUND', name, rrtype);
    const answers = types[rrtype as keyof typeof types];
    if (!answers) throw dnsError('ENODATA', name, rrtype);
    return answers;
  };
  dns.promises.resolve = fake as typeof dns.promises.resolve;
  return () => {
    dns.promises.resolve = original;
  };
}

/** A TXT record as DNS carries it: strings of at most 255 characters. */
export function txt(value: string): string[] {
  return value.match(/.{1,255}/g) ?? [''];
}

export interface DkimKey {
  domain: string;
  selector: string;
  /** The selector's TXT record, for the zone. */
  zone: Zone;
  /** The message with this key's DKIM-Signature header prepended. */
  sign(raw: string): Promise<string>;
}

export function generateDkimKey(domain: string, selector = 'sel2026'): DkimKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    domain,
    selector,
    zone: { [`${selector}._domainkey.${domain}`]: { TXT: [txt(`v=DKIM1; k=rsa; p=${p}`)] } },
    async sign(raw) {
      const { signatures, errors } = await dkimSign(raw, {
        canonicalization: 'relaxed/relaxed',
        signatureData: [{ signingDomain: domain, selector, privateKey: pem, algorithm: 'rsa-sha256' }],
      });
      if (errors.length > 0) throw new Error(`DKIM signing failed: ${JSON.stringify(errors)}`);
      return signatures + raw;
    },
  };
}
