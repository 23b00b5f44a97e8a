/** What the organiser app's route plugins are given: the services they share and the session rules. */
import type { Redis } from 'ioredis';
import type { BroadcastServiceDeps } from '../broadcasts/broadcast-service.js';
import type { CampaignServiceDeps } from '../campaigns/campaign-service.js';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { DeliverLetterDeps } from '../letters/deliver-letter.js';
import type { CookiePolicy } from './session-cookie.js';
import type { SessionPolicy } from './sessions.js';

export interface OrganiserAppOptions {
  db: Database;
  redis: Redis;
  config: Config;
  /** Puts one-to-one mail (sign-in links) on the queue; its ledger row is written first. */
  queueMail: (messageIds: string[]) => void;
  /** The campaign service the API uses: the screens apply its rules, never their own. */
  campaigns: CampaignServiceDeps;
  /** The letter service the API uses (its broadcast jobs also start a forwarded reply's broadcast). */
  letters: DeliverLetterDeps;
  /** The broadcast service the API uses, with its jobs. */
  broadcasts: BroadcastServiceDeps;
}

export interface AppContext extends OrganiserAppOptions {
  sessions: SessionPolicy;
  cookies: CookiePolicy;
}
