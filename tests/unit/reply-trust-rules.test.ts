import { describe, expect, it } from 'vitest';
import { isAllowedSender, reasonsToHold, type ReplyEvidence } from '../../src/replies/classify-inbound.js';

describe('isAllowedSender', () => {
  it('allows whole addresses, and domains with their subdomains, whatever the letter case', () => {
    const allowed = ['fco.gov.example', 'private.office@minister.example'];
    expect(isAllowedSender('Jane.Smith@FCO.gov.example', allowed)).toBe(true);
    expect(isAllowedSender('press@news.fco.gov.example', allowed)).toBe(true);
    expect(isAllowedSender(' private.office@minister.example ', allowed)).toBe(true);
  });

  it('refuses look-alike domains and other people at an allowed address’s domain', () => {
    const allowed = ['fco.gov.example', 'private.office@minister.example'];
    expect(isAllowedSender('someone@evilfco.gov.example', allowed)).toBe(false);
    expect(isAllowedSender('someone@fco.gov.example.attacker.example', allowed)).toBe(false);
    expect(isAllowedSender('intern@minister.example', allowed)).toBe(false);
    expect(isAllowedSender('anyone@fco.gov.example', [])).toBe(false);
  });
});

describe('the reasons a reply is held', () => {
  const trusted: ReplyEvidence = {
    hasFromAddress: true,
    identity: { ok: true, address: 'jane@fco.gov.example' },
    automatic: undefined,
    allowedSenders: ['fco.gov.example'],
    dmarc: 'pass',
    requireDmarc: true,
  };

  it('none for an allowed sender whose DMARC passed: the reply is trusted', () => {
    expect(reasonsToHold(trusted)).toEqual([]);
    expect(reasonsToHold({ ...trusted, dmarc: 'none', requireDmarc: false })).toEqual([]);
  });

  it('every reason that applies, each said plainly', () => {
    expect(
      reasonsToHold({ ...trusted, identity: { ok: true, address: 'x@elsewhere.example' }, automatic: 'Auto-Submitted: auto-replied', dmarc: 'fail' }),
    ).toEqual([
      'automatic reply (Auto-Submitted: auto-replied), never forwarded',
      'sender x@elsewhere.example is not an allowed official sender',
      'DMARC did not pass (fail)',
    ]);
    expect(reasonsToHold({ ...trusted, hasFromAddress: false, identity: { ok: false, reason: 'ignored' } })).toEqual(['malformed: no readable From address']);
    expect(reasonsToHold({ ...trusted, identity: { ok: false, reason: 'two From addresses' } })).toEqual(['two From addresses']);
  });
});
