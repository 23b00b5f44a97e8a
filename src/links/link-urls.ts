/** Builds the absolute URLs put into mail, each carrying a freshly signed token. */
import type { Config } from '../config.js';
import { signInLinkToken } from '../organiser-app/session-tokens.js';
import { signLinkToken } from './link-tokens.js';

export interface SupporterRef {
  supporterId: string;
  campaignId: string;
}

const HOUR = 60 * 60 * 1000;

export function makeLinkUrls(config: Pick<Config, 'SECRET_KEY' | 'PUBLIC_BASE_URL' | 'CONFIRM_LINK_TTL_HOURS' | 'PRIVACY_LINK_TTL_HOURS'>) {
  const url = (path: string) => `${config.PUBLIC_BASE_URL}${path}`;
  return {
    confirmUrl(ref: SupporterRef, now = new Date()): string {
      const expiresAt = new Date(now.getTime() + config.CONFIRM_LINK_TTL_HOURS * HOUR);
      return url(`/confirm/${signLinkToken(config.SECRET_KEY, { purpose: 'confirm', ...ref, issuedAt: now, expiresAt })}`);
    },
    unsubscribeUrl(ref: SupporterRef, now = new Date()): string {
      return url(`/u/${signLinkToken(config.SECRET_KEY, { purpose: 'unsubscribe', ...ref, issuedAt: now })}`);
    },
    privacyUrl(ref: SupporterRef, now = new Date()): string {
      const expiresAt = new Date(now.getTime() + config.PRIVACY_LINK_TTL_HOURS * HOUR);
      return url(`/privacy/${signLinkToken(config.SECRET_KEY, { purpose: 'privacy', ...ref, issuedAt: now, expiresAt })}`);
    },
    /** The organiser app's sign-in link for a sign_in_links row (single use; its expiry is in the row). */
    signInUrl(linkId: string): string {
      return url(`/app/sign-in/${signInLinkToken(config.SECRET_KEY, linkId)}`);
    },
    campaignUrl(slug: string): string {
      return url(`/c/${slug}`);
    },
  };
}

export type LinkUrls = ReturnType<typeof makeLinkUrls>;
