/** The evidence recorded with a reply, read back for the organiser's screens, from every shape it was stored in. */
import { describe, expect, it } from 'vitest';
import { readReplyEvidence } from '../../src/replies/reply-evidence.js';

describe('readReplyEvidence', () => {
  it('reads each DKIM signature with its domain, and the allowed-sender match, as recorded now', () => {
    const stored = JSON.stringify({
      dkim: ['pass'],
      dkimSignatures: [{ result: 'pass', domain: 'fco.gov.uk', aligned: 'fco.gov.uk' }],
      spf: 'pass',
      dmarc: 'pass',
      headerFrom: ['conflict.department@fco.gov.uk'],
      allowedSender: true,
    });
    expect(readReplyEvidence(stored)).toEqual({
      kind: 'received',
      dkim: [{ result: 'pass', domain: 'fco.gov.uk', aligned: 'fco.gov.uk' }],
      spf: 'pass',
      dmarc: 'pass',
      headerFrom: ['conflict.department@fco.gov.uk'],
      allowedSender: true,
      error: undefined,
    });
  });

  it('says what older replies did not record rather than guess, and survives a broken record', () => {
    const older = readReplyEvidence(JSON.stringify({ dkim: ['fail'], spf: 'not checked', dmarc: 'none', headerFrom: [] }));
    expect(older).toMatchObject({ kind: 'received', dkim: [{ result: 'fail', domain: null, aligned: null }], allowedSender: undefined });
    expect(readReplyEvidence('{not json')).toMatchObject({ kind: 'received', dkim: [], spf: 'none', dmarc: 'none' });
    expect(readReplyEvidence(null)).toMatchObject({ kind: 'received', dkim: [] });
  });

  it('knows a reply entered by the organiser, which has no mail to check', () => {
    expect(readReplyEvidence(JSON.stringify({ entered: 'by the organiser' }))).toEqual({ kind: 'entered', by: 'by the organiser' });
  });
});
