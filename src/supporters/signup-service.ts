/**
 * Signing a campaign, confirming the signature (double opt-in) and unsubscribing. The rules:
 * - a sign-up answers the same whether or not the address already signed (no one can probe who did);
 * - only a confirmed, subscribed, unsuppressed supporter is ever sent campaign mail;
 * - every mail is a ledger row written in the same transaction as its cause, then queued.
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { NotFoundError, RateLimitedError, StateError } from '../errors.js';
import { batchListsWhileBusy, batchWhileBusy } from '../infra/batch-while-busy.js';
import { hitFixedWindows, type LimitResult, type Window } from '../infra/fixed-window-limit.js';
import { verifyLinkToken, type LinkClaims } from '../links/link-tokens.js';
import { slugSchema } from '../campaigns/campaign-schemas.js';
import { emailHash, normaliseEmail } from './email-address.js';
import { recordFirstSignatures, type SignatureOutcome, type SignatureRecord } from './record-signature.js';
import type { SignatureInput } from './supporter-schemas.js';
import {
  claimConfirmationResend,
  findCampaignBySlug,
  findSupporter,
  incrementSupporterCount,
  loadSupporterContext,
  markSupporterConfirmed,
  setSupporterUnsubscribed,
  unsubscribeContactFromOrganiser,
} from './supporter-queries.js';
import { insertTransactionalMessage } from '../transactional/transactional-ledger.js';
import { addSuppression, removeOrganiserUnsubscribe } from '../suppressions/suppressions.js';

export interface SupporterServiceDeps {
  db: Database;
  config: Pick<
    Config,
    | 'REDIS_PREFIX'
    | 'SECRET_KEY'
    | 'SIGNUP_RATE_LIMIT_PER_MINUTE'
    | 'SIGNUP_EMAIL_RATE_LIMIT_PER_HOUR'
    | 'CONFIRMATION_RESEND_MINUTES'
  >;
  /**
   * Queues the ledger rows for sending, soon and together with others (see app.ts). Nobody waits
   * for it and it cannot fail: what Redis does not get, the worker's sweep finds in the ledger.
   */
  queueMail(messageIds: string[]): void;
  /** Counts rate-limit windows; concurrent calls share a round trip (see signupBatching). */
  hitWindows(windows: Window[]): Promise<LimitResult[]>;
  /** Records a first signature; concurrent calls share a statement (see signupBatching). */
  recordSignature(input: SignatureRecord): Promise<SignatureOutcome>;
  /** Told of each first signature and each confirmation, for /metrics. */
  count?: { signup(): void; confirmation(): void };
}

/** One batch at a time: batches then grow with the load, and each wakes Postgres or Redis once. */
const ONE_BATCH_AT_A_TIME = { concurrency: 1, maxBatch: 100 };

/**
 * Sign-up's round trips, batched under load: the rate-limit counts of concurrent sign-ups go to
 * Redis in one script call, and their signatures to Postgres in one statement and one commit.
 */
export function signupBatching(pool: pg.Pool, redis: Redis): Pick<SupporterServiceDeps, 'hitWindows' | 'recordSignature'> {
  return {
    hitWindows: batchListsWhileBusy((windows: Window[]) => hitFixedWindows(redis, windows), ONE_BATCH_AT_A_TIME),
    recordSignature: batchWhileBusy((inputs: SignatureRecord[]) => recordFirstSignatures(pool, inputs), ONE_BATCH_AT_A_TIME),
  };
}

export class CampaignClosedError extends StateError {
  constructor() {
    super('campaign_closed', 'This campaign has closed and no longer takes signatures');
  }
}

/** The public side of a campaign: open or closed. Drafts (and deleted campaigns) do not exist here. */
export async function findPublicCampaign(db: Database, slug: string) {
  const campaign = await findCampaignBySlug(db, slug);
  if (!campaign || campaign.status === 'draft') throw new NotFoundError('Campaign not found');
  return campaign;
}

const TOO_MANY_FROM_IP = 'Too many sign-ups from your network; try again in a minute';
const TOO_MANY_FOR_EMAIL = 'Too many attempts with this email address; try again later';

const ipWindow = (deps: SupporterServiceDeps, action: string, ip: string) => ({
  key: `${deps.config.REDIS_PREFIX}:ratelimit:${action}:ip:${ip}`,
  limit: deps.config.SIGNUP_RATE_LIMIT_PER_MINUTE,
  windowSeconds: 60,
});

const emailWindow = (deps: SupporterServiceDeps, action: string, email: string) => ({
  key: `${deps.config.REDIS_PREFIX}:ratelimit:${action}:email:${emailHash(email).toString('hex')}`,
  limit: deps.config.SIGNUP_EMAIL_RATE_LIMIT_PER_HOUR,
  windowSeconds: 3600,
});

export async function limitPerEmail(deps: SupporterServiceDeps, action: string, email: string): Promise<void> {
  const [result] = await deps.hitWindows([emailWindow(deps, action, email)]);
  if (!result!.allowed) throw new RateLimitedError(TOO_MANY_FOR_EMAIL, result!.retryAfterSeconds);
}

export async function limitPerIp(deps: SupporterServiceDeps, action: string, ip: string): Promise<void> {
  const [result] = await deps.hitWindows([ipWindow(deps, action, ip)]);
  if (!result!.allowed) throw new RateLimitedError(TOO_MANY_FROM_IP, result!.retryAfterSeconds);
}

/** Both sign-up limits in one round trip, for the JSON route (the form counts its IP before parsing). */
async function limitSignup(deps: SupporterServiceDeps, email: string, ip: string | undefined): Promise<void> {
  const windows = [emailWindow(deps, 'signup', email), ...(ip ? [ipWindow(deps, 'signup', ip)] : [])];
  const [byEmail, byIp] = await deps.hitWindows(windows);
  if (byIp && !byIp.allowed) throw new RateLimitedError(TOO_MANY_FROM_IP, byIp.retryAfterSeconds);
  if (!byEmail!.allowed) throw new RateLimitedError(TOO_MANY_FOR_EMAIL, byEmail!.retryAfterSeconds);
}

export async function signCampaign(
  deps: SupporterServiceDeps,
  slug: string,
  input: SignatureInput,
  meta: { ip: string | undefined; ipAlreadyCounted?: boolean },
): Promise<void> {
  const email = normaliseEmail(input.email);
  await limitSignup(deps, email, meta.ipAlreadyCounted ? undefined : meta.ip);
  // The honeypot was filled in: answer exactly as for a person, store nothing.
  if (input.website) {
    const campaign = await findPublicCampaign(deps.db, slug);
    if (campaign.status !== 'open') throw new CampaignClosedError();
    return;
  }
  // A slug no campaign can have is not looked up (a NUL in it would fail the statement).
  if (!slugSchema.safeParse(slug).success) throw new NotFoundError('Campaign not found');

  const outcome = await deps.recordSignature({
    slug,
    email,
    name: input.name,
    postcode: input.postcode ?? null,
    ip: meta.ip ?? null,
  });
  if (!outcome.campaignStatus || outcome.campaignStatus === 'draft') throw new NotFoundError('Campaign not found');
  if (outcome.campaignStatus !== 'open') throw new CampaignClosedError();
  if (outcome.supporterId) deps.count?.signup();
  // Addresses that bounced, complained or were erased are never mailed again, not even to confirm.
  if (outcome.suppressed) return;

  const messageId = outcome.supporterId ? outcome.messageId : await confirmationForRepeatSigner(deps, outcome.campaignId!, outcome.contactId!);
  if (messageId) deps.queueMail([messageId]);
}

/**
 * Signed before: a confirmed, subscribed supporter needs nothing; anyone else may get the
 * confirmation mail again, but not more often than the resend interval.
 */
async function confirmationForRepeatSigner(deps: SupporterServiceDeps, campaignId: string, contactId: string): Promise<string | undefined> {
  return deps.db.transaction(async (tx) => {
    const existing = await findSupporter(tx, campaignId, contactId);
    if (!existing) return undefined;
    const needsConfirmation = existing.status === 'unconfirmed' || existing.unsubscribedAt !== null;
    if (!needsConfirmation) return undefined;
    if (!(await claimConfirmationResend(tx, existing.id, deps.config.CONFIRMATION_RESEND_MINUTES))) return undefined;
    return insertTransactionalMessage(tx, existing.id, 'confirmation');
  });
}

/** Verifies a link token and loads what it points at; a token for someone erased is simply invalid. */
export async function openLink(deps: Pick<SupporterServiceDeps, 'db' | 'config'>, token: string, purpose: LinkClaims['purpose']) {
  const verified = verifyLinkToken(deps.config.SECRET_KEY, token, purpose);
  const claims = verified.claims;
  const context = claims ? await loadSupporterContext(deps.db, claims.supporterId) : undefined;
  // The campaign is part of what was signed: a token cannot be re-pointed at another campaign.
  const matches = context && claims && context.campaign.id === claims.campaignId && !context.campaign.deletedAt;
  if (!verified.ok) {
    return { ok: false as const, reason: verified.reason, campaignSlug: matches ? context.campaign.slug : undefined };
  }
  if (!matches) return { ok: false as const, reason: 'invalid' as const };
  return { ok: true as const, claims: verified.claims, context };
}

export type ConfirmOutcome = 'confirmed' | 'resubscribed' | 'already_confirmed';

/**
 * Confirms a signature. Single-use by state: a second use finds it confirmed. A confirm link older
 * than an unsubscribe cannot undo that unsubscribe; only a newer sign-up's link can.
 */
export async function confirmSignature(deps: SupporterServiceDeps, claims: LinkClaims): Promise<ConfirmOutcome> {
  const { outcome, messageId } = await deps.db.transaction(async (tx) => {
    const context = await loadSupporterContext(tx, claims.supporterId, { forUpdate: true });
    if (!context) throw new NotFoundError('This signature no longer exists');
    const { supporter, contact, campaign } = context;
    const now = new Date();

    if (supporter.status === 'unconfirmed') {
      await markSupporterConfirmed(tx, supporter.id, now);
      await incrementSupporterCount(tx, campaign.id);
      await removeOrganiserUnsubscribe(tx, contact.email, campaign.organiserId);
      return { outcome: 'confirmed' as const, messageId: await insertTransactionalMessage(tx, supporter.id, 'letter_copy') };
    }
    if (supporter.unsubscribedAt && claims.issuedAt.getTime() >= Math.floor(supporter.unsubscribedAt.getTime() / 1000) * 1000) {
      await setSupporterUnsubscribed(tx, supporter.id, null);
      await removeOrganiserUnsubscribe(tx, contact.email, campaign.organiserId);
      return { outcome: 'resubscribed' as const, messageId: undefined };
    }
    return { outcome: 'already_confirmed' as const, messageId: undefined };
  });
  if (outcome === 'confirmed') deps.count?.confirmation();
  if (messageId) deps.queueMail([messageId]);
  return outcome;
}

/**
 * Unsubscribes from this campaign, or from every campaign of its organisation. Idempotent and
 * immediate: every later send checks the supporter row and the suppression list just before sending.
 */
export async function unsubscribe(
  deps: Pick<SupporterServiceDeps, 'db'>,
  claims: LinkClaims,
  scope: 'campaign' | 'organisation',
): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const context = await loadSupporterContext(tx, claims.supporterId, { forUpdate: true });
    if (!context) return;
    if (!context.supporter.unsubscribedAt) {
      await setSupporterUnsubscribed(tx, context.supporter.id, new Date());
    }
    if (scope === 'organisation') {
      await unsubscribeContactFromOrganiser(tx, context.contact.id, context.campaign.organiserId);
      await addSuppression(tx, {
        email: context.contact.email,
        organiserId: context.campaign.organiserId,
        reason: 'unsubscribe_all',
        source: 'unsubscribe',
        campaignId: context.campaign.id,
      });
    }
  });
}
