import { describe, expect, it } from 'vitest';
import { errorBudgetExceeded, exclusionOf, holdBack, lateBounceBudgetExceeded } from '../../src/broadcasts/send-decision.js';
import type { Recipient } from '../../src/broadcasts/recipients.js';
import { outcomeOfFailedSend, retryDelayMs } from '../../src/mail/delivery-outcome.js';
import { reasonNotToMail, suppressionScope, type Addressee } from '../../src/suppressions/may-we-mail.js';
import { stalePeriods, UNNAMED_CLAIM_STALE_SECONDS } from '../../src/infra/stale-periods.js';

const schedule = { maxAttempts: 8, retryBaseSeconds: 30 };
const greylisted = { responseCode: 451, code: 'EENVELOPE', command: 'RCPT TO', response: '451 4.7.1 Greylisted' };
const noSuchUser = { responseCode: 550, code: 'EENVELOPE', command: 'RCPT TO', response: '550 5.1.1 No such user' };
const spam = { responseCode: 554, code: 'EMESSAGE', command: 'DATA', response: '554 5.7.1 Spam' };
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ESOCKET' });

describe('the retry schedule of all mail', () => {
  it('doubles from the base, between half and all of it, and never waits more than an hour', () => {
    expect([1, 2, 3].map((attempts) => retryDelayMs(attempts, 30, 0))).toEqual([15_000, 30_000, 60_000]);
    expect([1, 2, 3].map((attempts) => retryDelayMs(attempts, 30, 0.999_999))).toEqual([30_000, 60_000, 120_000]);
    expect(retryDelayMs(20, 30, 0)).toBe(1_800_000);
    expect(retryDelayMs(20, 30, 0.999_999)).toBeLessThanOrEqual(3_600_000);
    expect(retryDelayMs(0, 30, 0)).toBe(15_000);
  });

  it('retries a 4xx or a connection error at the scheduled time, until the last attempt', () => {
    const now = Date.parse('2026-12-02T10:00:00Z');
    expect(outcomeOfFailedSend(greylisted, 1, schedule, now, 0)).toEqual({
      status: 'retry',
      response: '451 4.7.1 Greylisted',
      retryAt: new Date(now + 15_000),
      serverUnreachable: false,
    });
    expect(outcomeOfFailedSend(refused, 3, schedule, now, 0)).toMatchObject({ status: 'retry', retryAt: new Date(now + 60_000), serverUnreachable: true });
    expect(outcomeOfFailedSend(greylisted, 8, schedule, now, 0)).toEqual({ status: 'failed', response: '451 4.7.1 Greylisted' });
  });

  it('bounces a refused recipient and gives up a refused message at once', () => {
    expect(outcomeOfFailedSend(noSuchUser, 1, schedule)).toEqual({ status: 'bounced', response: '550 5.1.1 No such user' });
    expect(outcomeOfFailedSend(spam, 1, schedule)).toEqual({ status: 'failed', response: '554 5.7.1 Spam' });
  });
});

describe('may we mail this person', () => {
  const supporter: Addressee = { confirmed: true, unsubscribed: false, suppressedBecause: null };

  it('campaign mail needs a confirmed, subscribed, unsuppressed supporter', () => {
    expect(reasonNotToMail(supporter, 'campaign')).toBeUndefined();
    expect(reasonNotToMail({ ...supporter, confirmed: false }, 'campaign')).toBe('not confirmed');
    expect(reasonNotToMail({ ...supporter, unsubscribed: true }, 'campaign')).toBe('unsubscribed');
    expect(reasonNotToMail({ ...supporter, suppressedBecause: 'hard_bounce' }, 'campaign')).toBe('suppressed (hard_bounce)');
  });

  it('a letter to the target needs only the confirmed signature: the supporter is not the one mailed', () => {
    expect(reasonNotToMail({ ...supporter, unsubscribed: true, suppressedBecause: 'complaint' }, 'letter-to-target')).toBeUndefined();
    expect(reasonNotToMail({ ...supporter, confirmed: false }, 'letter-to-target')).toBe('not confirmed');
  });

  it('a confirmation goes to whoever has not confirmed (or re-subscribes), unless suppressed', () => {
    expect(reasonNotToMail({ ...supporter, confirmed: false }, 'confirmation')).toBeUndefined();
    expect(reasonNotToMail({ ...supporter, unsubscribed: true }, 'confirmation')).toBeUndefined();
    expect(reasonNotToMail(supporter, 'confirmation')).toBe('already confirmed');
    expect(reasonNotToMail({ ...supporter, confirmed: false, suppressedBecause: 'erasure' }, 'confirmation')).toBe('suppressed (erasure)');
    expect(reasonNotToMail({ ...supporter, unsubscribed: true, suppressedBecause: null }, 'account')).toBeUndefined();
    expect(reasonNotToMail({ ...supporter, suppressedBecause: 'complaint' }, 'account')).toBe('suppressed (complaint)');
  });

  it('only campaign mail honours an organisation’s own “unsubscribe from all”', () => {
    expect(suppressionScope('campaign', 'org-1')).toBe('org-1');
    expect(['confirmation', 'account', 'letter-to-target'].map((purpose) => suppressionScope(purpose as 'account', 'org-1'))).toEqual([null, null, null]);
  });
});

describe('the send decision of a broadcast', () => {
  const recipient: Recipient = {
    supporterId: 's1',
    name: 'Jane',
    postcode: null,
    email: 'jane@example.org',
    signedAt: new Date(),
    confirmed: true,
    unsubscribed: false,
    suppressedBecause: null,
  };

  it('skips a delivery whose person may no longer be mailed, with why', () => {
    expect(exclusionOf(recipient, 'supporters')).toBeUndefined();
    expect(exclusionOf(undefined, 'supporters')).toEqual({ status: 'skipped', response: 'not sent: the supporter no longer exists' });
    expect(exclusionOf({ ...recipient, unsubscribed: true }, 'supporters')).toEqual({ status: 'skipped', response: 'not sent: unsubscribed' });
    expect(exclusionOf({ ...recipient, suppressedBecause: 'complaint' }, 'supporters')).toEqual({ status: 'skipped', response: 'not sent: suppressed (complaint)' });
    expect(exclusionOf({ ...recipient, unsubscribed: true }, 'target')).toBeUndefined();
  });

  it('holds a delivery back while paused or shutting down, and skips it once cancelled', () => {
    expect(holdBack(false, 'sending')).toBeUndefined();
    expect(holdBack(true, 'sending')).toEqual({ status: 'released', response: 'not sent yet: the worker was shutting down' });
    expect(holdBack(false, 'paused')).toEqual({ status: 'released', response: 'not sent yet: the broadcast is paused' });
    expect(holdBack(false, 'cancelled')).toEqual({ status: 'skipped', response: 'not sent: the broadcast was cancelled' });
  });

  it('pauses the broadcast when more than the budget of a batch’s attempts is refused permanently', () => {
    const budget = { share: 0.5, minAttempts: 4 };
    const of = (...statuses: string[]) => statuses.map((status, n) => ({ status: status as 'sent', response: `${status} ${n}` }));
    expect(errorBudgetExceeded(of('failed', 'failed', 'failed', 'sent'), budget)).toBe('paused itself: 3 of the last 4 attempts failed (last: failed 2)');
    // Half is within the budget; too few attempts say nothing; retries, skips and releases are not refusals.
    expect(errorBudgetExceeded(of('failed', 'failed', 'sent', 'sent'), budget)).toBeUndefined();
    expect(errorBudgetExceeded(of('failed', 'failed', 'failed'), budget)).toBeUndefined();
    expect(errorBudgetExceeded(of('failed', 'failed', 'failed', 'retry', 'retry', 'skipped', 'released'), budget)).toBe(
      'paused itself: 3 of the last 5 attempts failed (last: failed 2)',
    );
    expect(errorBudgetExceeded(of('failed', 'failed', 'failed', 'retry', 'retry', 'retry', 'skipped', 'released'), budget)).toBeUndefined();
  });

  it('spends the same budget on hard bounces reported after the relay accepted the messages', () => {
    const budget = { share: 0.5, minAttempts: 4 };
    expect(lateBounceBudgetExceeded({ accepted: 6, bouncedLate: 4, lastStatus: '5.1.1' }, budget)).toBe(
      'paused itself: 4 of the 6 messages accepted so far bounced afterwards (last: 5.1.1)',
    );
    expect(lateBounceBudgetExceeded({ accepted: 6, bouncedLate: 3, lastStatus: '5.1.1' }, budget)).toBeUndefined();
    expect(lateBounceBudgetExceeded({ accepted: 3, bouncedLate: 3, lastStatus: '5.1.1' }, budget)).toBeUndefined();
  });
});

describe('stale periods', () => {
  it('come from one place: the worker silence from DELIVERY_STALE_SECONDS, inbound at most 30 s, claims without a claimant after two minutes', () => {
    expect(stalePeriods({ DELIVERY_STALE_SECONDS: 10, SWEEP_INTERVAL_SECONDS: 60 })).toEqual({ silentWorkerSeconds: 10, unsentMailSeconds: 60, unprocessedInboundSeconds: 30 });
    expect(stalePeriods({ DELIVERY_STALE_SECONDS: 3, SWEEP_INTERVAL_SECONDS: 1 }).unprocessedInboundSeconds).toBe(1);
    expect(UNNAMED_CLAIM_STALE_SECONDS).toBe(120);
  });
});
