/**
 * The database schema: the source of truth for everything the service knows.
 * Migrations in `migrations/` are generated from this file by `npm run db:generate`.
 *
 * People are modelled in two layers so one person never becomes several:
 * a *contact* is one email address across the whole installation, and a *supporter* is that
 * contact's signature on one campaign. Suppressions are keyed by a hash of the address so they
 * outlive the erasure of the contact they came from.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  inet,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** Binary column for hashes; compared by equality only. */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => 'bytea',
});

export const DEFAULT_CONSENT_STATEMENT =
  'I agree to receive emails about this campaign, including the official reply, and know I can unsubscribe at any time.';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const organisers = pgTable(
  'organisers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    /** The organisation's profile, on the letterhead of the letter to the target and in mail footers. */
    website: text('website'),
    postalAddress: text('postal_address'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('organisers_email_key').on(sql`lower(${t.email})`)],
);

/**
 * An organiser's logo, PNG or JPEG as sniffed from its bytes, kept in Postgres so every process can
 * print it on a letter without shared disk. A table of its own so reading an organiser never drags
 * the image along.
 */
export const organiserLogos = pgTable('organiser_logos', {
  organiserId: uuid('organiser_id')
    .primaryKey()
    .references(() => organisers.id, { onDelete: 'cascade' }),
  contentType: text('content_type').notNull(),
  content: bytea('content').notNull(),
  /** Hex SHA-256 of the content: the ETag, and the version in the logo's URL. */
  sha256: text('sha256').notNull(),
  updatedAt: updatedAt(),
});

/** Only the SHA-256 of a key is stored; the key itself is shown once, when it is created. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organiserId: uuid('organiser_id')
      .notNull()
      .references(() => organisers.id, { onDelete: 'cascade' }),
    keyHash: bytea('key_hash').notNull(),
    /** The first characters of the key, so an operator can tell keys apart without the secret. */
    keyPrefix: text('key_prefix').notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('api_keys_key_hash_key').on(t.keyHash),
    index('api_keys_organiser_id_idx').on(t.organiserId),
  ],
);

export const userRole = pgEnum('user_role', ['owner', 'editor']);

/**
 * The people who sign in to an organiser's web app. An address belongs to one organiser only, so a
 * sign-in link never has to ask which organisation the person meant.
 */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organiserId: uuid('organiser_id')
      .notNull()
      .references(() => organisers.id, { onDelete: 'cascade' }),
    /** Trimmed and lower-cased. */
    email: text('email').notNull(),
    name: text('name'),
    role: userRole('role').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_key').on(t.email), index('users_organiser_id_idx').on(t.organiserId)],
);

/**
 * Signed-in web app sessions. Only the SHA-256 of the cookie's token is stored; a session ends when
 * idle too long (last_seen_at), at expires_at whatever its use, or when its row is deleted (sign out).
 */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: bytea('token_hash').notNull(),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('sessions_token_hash_key').on(t.tokenHash), index('sessions_user_id_idx').on(t.userId)],
);

/**
 * Sign-in links mailed to users: single use (used_at), short-lived (expires_at). The token in the
 * link is an HMAC of the row's id under SECRET_KEY, so the worker can put it in the mail; only its
 * SHA-256 is stored, so the table alone signs nobody in.
 */
export const signInLinks = pgTable(
  'sign_in_links',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: bytea('token_hash').notNull(),
    /** Sent because an owner invited this user (the mail says who invited them, and to what). */
    invitedBy: text('invited_by'),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('sign_in_links_token_hash_key').on(t.tokenHash), index('sign_in_links_user_id_idx').on(t.userId)],
);

export const campaignStatus = pgEnum('campaign_status', ['draft', 'open', 'closed']);
export const replyMode = pgEnum('reply_mode', ['auto', 'approve']);

export const campaigns = pgTable(
  'campaigns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organiserId: uuid('organiser_id')
      .notNull()
      .references(() => organisers.id, { onDelete: 'restrict' }),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    summary: text('summary'),
    status: campaignStatus('status').notNull().default('draft'),
    letterSubject: text('letter_subject').notNull(),
    /** Liquid/Markdown mail-merge template, rendered per supporter. */
    letterBody: text('letter_body').notNull(),
    targetName: text('target_name').notNull(),
    targetEmail: text('target_email').notNull(),
    targetAddress: text('target_address'),
    senderName: text('sender_name').notNull(),
    senderEmail: text('sender_email').notNull(),
    replyMode: replyMode('reply_mode').notNull().default('approve'),
    /** Addresses (`press@fco.gov.uk`) or whole domains (`fco.gov.uk`) whose replies may be trusted. */
    replyAllowedSenders: text('reply_allowed_senders').array().notNull().default(sql`'{}'::text[]`),
    /** Shown beside the sign form's unticked checkbox; stored with each signature as the consent given. */
    consentStatement: text('consent_statement').notNull().default(DEFAULT_CONSENT_STATEMENT),
    /**
     * Signatures confirmed, ever: raised once per supporter at confirmation, kept through unsubscribe
     * and erasure (people still signed). A counter, because the public page shows it on every view.
     */
    supporterCount: integer('supporter_count').notNull().default(0),
    /** Random, unguessable local part suffix of the campaign's reply address `reply+<token>@…`. */
    replyToken: text('reply_token').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /** Set by DELETE; the row and its supporters are purged by a worker, in batches. */
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    // A deleted campaign frees its slug at once, while its data is still being purged.
    uniqueIndex('campaigns_slug_key').on(t.slug).where(sql`${t.deletedAt} IS NULL`),
    uniqueIndex('campaigns_reply_token_key').on(t.replyToken),
    // Keyset pagination of an organiser's campaigns, newest first.
    index('campaigns_organiser_created_idx').on(t.organiserId, t.createdAt.desc(), t.id.desc()),
    index('campaigns_deleted_idx').on(t.deletedAt).where(sql`${t.deletedAt} IS NOT NULL`),
  ],
);

/**
 * Every slug an organiser's campaigns have used, kept when the campaign is deleted and purged: a link
 * to /c/<slug> printed on a leaflet or shared years ago must never lead to another organiser's page.
 * The organiser who owned it may use it again; no one else can (see claimCampaignSlug).
 */
export const campaignSlugs = pgTable('campaign_slugs', {
  slug: text('slug').primaryKey(),
  organiserId: uuid('organiser_id')
    .notNull()
    .references(() => organisers.id, { onDelete: 'restrict' }),
  createdAt: createdAt(),
});

/** One person, one email address, however many campaigns they support. */
export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Normalised: trimmed, lower-cased whole. */
    email: text('email').notNull(),
    name: text('name').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('contacts_email_key').on(t.email)],
);

export const supporterStatus = pgEnum('supporter_status', ['unconfirmed', 'confirmed']);

/** A contact's signature on one campaign. Only confirmed, subscribed supporters are ever mailed. */
export const supporters = pgTable(
  'supporters',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    /** The name and postcode as given on this signature (merge fields of this campaign's mail). */
    name: text('name').notNull(),
    postcode: text('postcode'),
    status: supporterStatus('status').notNull().default('unconfirmed'),
    consentStatement: text('consent_statement').notNull(),
    consentAt: timestamp('consent_at', { withTimezone: true }).notNull(),
    consentIp: inet('consent_ip'),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    /** When the last confirmation mail was queued; throttles re-sends to a repeat signer. */
    confirmationSentAt: timestamp('confirmation_sent_at', { withTimezone: true }),
    unsubscribedAt: timestamp('unsubscribed_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('supporters_campaign_contact_key').on(t.campaignId, t.contactId),
    index('supporters_contact_idx').on(t.contactId),
    // The organiser's supporter list and CSV export: keyset pages, newest first.
    index('supporters_campaign_created_idx').on(t.campaignId, t.createdAt.desc(), t.id.desc()),
    // The audience cursor: confirmed, subscribed supporters of a campaign paged by id.
    index('supporters_audience_idx')
      .on(t.campaignId, t.id)
      .where(sql`${t.status} = 'confirmed' AND ${t.unsubscribedAt} IS NULL`),
  ],
);

export const transactionalKind = pgEnum('transactional_kind', [
  'confirmation',
  'letter_copy',
  'privacy_link',
  'sign_in_link',
  // Organiser notifications: to the organiser's owners, not to a supporter (see src/notifications).
  'reply_arrived',
  'broadcast_completed',
  'broadcast_paused',
  // A user's test of a draft broadcast, to their own address (about_id: the broadcast).
  'broadcast_test',
]);
export const messageStatus = pgEnum('message_status', ['pending', 'sending', 'sent', 'failed', 'skipped']);

/**
 * The ledger of one-to-one mail (confirmation, the supporter's copy of the letter, a "your data"
 * link; to users, a sign-in link; and the organiser's notifications to its owners): one row per
 * message, written in the same transaction as the action that causes it, so a mail is never lost
 * between Postgres and Redis; the worker marks it sent only after the SMTP server's 250. Its id
 * makes the deterministic Message-ID. Each row names its one recipient: a supporter, a sign-in
 * link, or an organiser with the owner's address and a key saying which event it tells of, so each
 * event is told once.
 */
export const transactionalMessages = pgTable(
  'transactional_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    supporterId: uuid('supporter_id').references(() => supporters.id, { onDelete: 'cascade' }),
    signInLinkId: uuid('sign_in_link_id').references(() => signInLinks.id, { onDelete: 'cascade' }),
    organiserId: uuid('organiser_id').references(() => organisers.id, { onDelete: 'cascade' }),
    /** An organiser notification's address (an owner's), fixed when the event happened. */
    recipient: text('recipient'),
    /** An organiser notification's event, e.g. "reply_arrived:<reply id>": unique per recipient. */
    notificationKey: text('notification_key'),
    /** The reply or broadcast an organiser notification is about. */
    aboutId: uuid('about_id'),
    /** What the notification says that may change later (a broadcast's counts and pause reason), as it was. */
    details: jsonb('details').$type<Record<string, unknown>>(),
    kind: transactionalKind('kind').notNull(),
    status: messageStatus('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** The SMTP server's last answer (or the connection error), kept for failed and sent mail alike. */
    lastResponse: text('last_response'),
    /** The worker process sending it, while 'sending' (see worker_processes). */
    claimedBy: uuid('claimed_by'),
    /** When a 'pending' message may be claimed: now, or its retry time after a 4xx or a connection error. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    // A supporter gets their copy of the letter once, however often confirmation is retried.
    uniqueIndex('transactional_messages_one_letter_copy')
      .on(t.supporterId)
      .where(sql`${t.kind} = 'letter_copy'`),
    index('transactional_messages_supporter_idx').on(t.supporterId),
    index('transactional_messages_sign_in_link_idx').on(t.signInLinkId),
    // Each event is told to each owner once, however often its cause is retried.
    uniqueIndex('transactional_messages_one_notification')
      .on(t.notificationKey, t.recipient)
      .where(sql`${t.notificationKey} IS NOT NULL`),
    index('transactional_messages_organiser_idx').on(t.organiserId).where(sql`${t.organiserId} IS NOT NULL`),
    // Exactly one recipient; an organiser notification also names the address and its event.
    check(
      'transactional_messages_one_recipient',
      sql`num_nonnulls(${t.supporterId}, ${t.signInLinkId}, ${t.organiserId}) = 1 AND (${t.organiserId} IS NULL OR (${t.recipient} IS NOT NULL AND ${t.notificationKey} IS NOT NULL))`,
    ),
    // The sweep's scan for mail still to send.
    index('transactional_messages_unsent_idx')
      .on(t.createdAt)
      .where(sql`${t.status} IN ('pending', 'sending')`),
  ],
);

/**
 * One-to-one mail per kind and status, kept by a statement trigger on transactional_messages
 * (custom migration): /metrics reads a few rows instead of counting a ledger that grows by two rows
 * per supporter. The sign-up path writes its messages one statement per batch, so one more row
 * written per batch.
 */
export const transactionalMessageCounts = pgTable(
  'transactional_message_counts',
  {
    kind: transactionalKind('kind').notNull(),
    status: messageStatus('status').notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.status] })],
);

export const broadcastKind = pgEnum('broadcast_kind', ['letter', 'update', 'reply']);
/** Who a broadcast's deliveries go to: each supporter, or the target (one letter per supporter). */
export const broadcastAudience = pgEnum('broadcast_audience', ['supporters', 'target']);
export const broadcastStatus = pgEnum('broadcast_status', ['draft', 'scheduled', 'sending', 'paused', 'cancelled', 'completed']);

/** One message (letter copy, update, reply) sent to a campaign's audience. */
export const broadcasts = pgTable(
  'broadcasts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    kind: broadcastKind('kind').notNull(),
    audience: broadcastAudience('audience').notNull().default('supporters'),
    /** Liquid templates, validated when saved, rendered per delivery. */
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    status: broadcastStatus('status').notNull().default('draft'),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
    /** The audience is who was confirmed, subscribed and unsuppressed at this moment. */
    startedAt: timestamp('started_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    /** Why a broadcast paused itself (error budget exceeded), for the organiser. */
    pausedReason: text('paused_reason'),
    /**
     * The planner's checkpoint: the last supporter id whose delivery row is committed. Moved in the
     * same transaction as the rows it covers, never on a mere read.
     */
    plannedThrough: uuid('planned_through'),
    /** For a forwarded official reply: its attachments go with every message. */
    replyId: uuid('reply_id'),
    planningDone: boolean('planning_done').notNull().default(false),
    /** The web app user who started it; null when an API key or the service itself did. */
    startedByUserId: uuid('started_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('broadcasts_campaign_idx').on(t.campaignId, t.createdAt.desc()),
    // The sweep's scan for broadcasts with work outstanding.
    index('broadcasts_active_idx').on(t.status).where(sql`${t.status} IN ('scheduled', 'sending')`),
  ],
);

/** What an organiser did to a broadcast (broadcast-service.ts applyBroadcastAction). */
export const broadcastAction = pgEnum('broadcast_action', ['start', 'pause', 'resume', 'cancel', 'retry_failed']);
/** How the organiser acted: signed in to the web app, or with an API key. */
export const actionVia = pgEnum('action_via', ['app', 'api']);

/**
 * Who did what to a broadcast and when, for the campaign's timeline: one row per action that moved
 * the broadcast, written in the transaction of the move. A removed user's actions keep their row
 * (user_id NULL, via 'app'). Completion and pauses the broadcast makes by itself are on its own row.
 */
export const broadcastActions = pgTable(
  'broadcast_actions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    action: broadcastAction('action').notNull(),
    /** The broadcast's status after the action: a start may leave it scheduled rather than sending. */
    status: broadcastStatus('status').notNull(),
    via: actionVia('via').notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('broadcast_actions_broadcast_idx').on(t.broadcastId, t.createdAt)],
);

export const deliveryStatus = pgEnum('delivery_status', ['pending', 'sending', 'sent', 'retry', 'failed', 'bounced', 'skipped']);

/**
 * The delivery ledger: one row per (broadcast, supporter), unique. Claimed ('sending') before the
 * SMTP conversation, marked 'sent' only after the server's 250. The Message-ID is derived from the
 * (broadcast, supporter) pair, so a retry after an unknown outcome carries the same one.
 */
export const deliveries = pgTable(
  'deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    supporterId: uuid('supporter_id')
      .notNull()
      .references(() => supporters.id, { onDelete: 'cascade' }),
    status: deliveryStatus('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastResponse: text('last_response'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * The worker process sending it, while 'sending' (see worker_processes). No foreign key: the
     * check would cost every claim a lookup, and a dead claimant's row is deleted after its claims.
     */
    claimedBy: uuid('claimed_by'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('deliveries_broadcast_supporter_key').on(t.broadcastId, t.supporterId),
    // The batch claim: the next due rows of a broadcast in id order (small: only unfinished rows).
    index('deliveries_claimable_idx').on(t.broadcastId, t.id).where(sql`${t.status} IN ('pending', 'retry')`),
    // A broadcast's rows in one status: retry-failed, the completion check.
    index('deliveries_broadcast_status_idx').on(t.broadcastId, t.status),
    index('deliveries_supporter_idx').on(t.supporterId),
  ],
);

/**
 * The ledger's rows per broadcast and status, kept by a statement trigger on deliveries (migration
 * 0005, SQL that drizzle-kit cannot express): progress reads a few rows instead of counting a
 * million-row ledger on every poll (190 ms a poll at 1,000,000, and growing with it).
 */
export const broadcastDeliveryCounts = pgTable(
  'broadcast_delivery_counts',
  {
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    status: deliveryStatus('status').notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.broadcastId, t.status] })],
);

/** Messages accepted per broadcast and second, for the send rate; the same trigger keeps the last minute. */
export const broadcastSendSeconds = pgTable(
  'broadcast_send_seconds',
  {
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    second: timestamp('second', { withTimezone: true }).notNull(),
    sent: integer('sent').notNull(),
  },
  (t) => [primaryKey({ columns: [t.broadcastId, t.second] })],
);

/**
 * The campaign letter delivered to the target as one bundle: a covering letter with the signatory
 * list attached (CSV and PDF). A ledger row like the others: claimed, then marked sent on the 250.
 */
export const targetLetters = pgTable(
  'target_letters',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    status: messageStatus('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastResponse: text('last_response'),
    /** The worker process sending it, while 'sending' (see worker_processes). */
    claimedBy: uuid('claimed_by'),
    /** When a 'pending' bundle may be claimed: now, or its retry time. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    signatories: integer('signatories'),
    /**
     * The letter as made for its first attempt (recipient, Reply-To, subject, the PDF): every retry
     * sends these same bytes, and the organiser can see exactly what the target received.
     */
    toName: text('to_name'),
    toAddress: text('to_address'),
    replyTo: text('reply_to'),
    subject: text('subject'),
    pdf: bytea('pdf'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    /** The web app user who asked for it to be sent; null when an API key did (or the user is gone). */
    sentByUserId: uuid('sent_by_user_id').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [index('target_letters_campaign_idx').on(t.campaignId)],
);

export const inboundStatus = pgEnum('inbound_status', ['received', 'processed', 'failed']);

/**
 * Every message the inbound listener (or the HTTP intake) accepted, raw, written before the 250 is
 * given: nothing accepted is ever lost. Parsing and checks happen afterwards, in a worker. The raw
 * bytes of a finished message are deleted after INBOUND_RETENTION_DAYS (`raw` NULL); the row, with
 * its outcome, and the reply made from it stay.
 */
export const inboundMessages = pgTable(
  'inbound_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    via: text('via').notNull(),
    envelopeFrom: text('envelope_from'),
    envelopeTo: text('envelope_to').array().notNull(),
    /** The SMTP client's address: the listener's connection, or the one a signed HTTP hand-over states. */
    remoteAddress: text('remote_address'),
    helo: text('helo'),
    raw: bytea('raw'),
    /** HTTP intake only: SHA-256 of the signed envelope and body, so a retried hand-over is stored once. */
    intakeKey: text('intake_key'),
    /** Bytes as received, kept when `raw` is deleted. */
    size: integer('size'),
    /** The campaign whose reply address it came to, once a worker has looked: the organiser's view of it. */
    campaignId: uuid('campaign_id').references(() => campaigns.id, { onDelete: 'cascade' }),
    status: inboundStatus('status').notNull().default('received'),
    /** Processing attempts begun, counted in Postgres so that a re-queue by the sweep does not reset them. */
    attempts: integer('attempts').notNull().default(0),
    outcome: text('outcome'),
    createdAt: createdAt(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (t) => [
    index('inbound_messages_unprocessed_idx').on(t.createdAt).where(sql`${t.status} = 'received'`),
    uniqueIndex('inbound_messages_intake_key').on(t.intakeKey),
    // The retention sweep reads only messages whose raw bytes are still kept.
    index('inbound_messages_raw_kept_idx').on(t.createdAt).where(sql`${t.raw} IS NOT NULL AND ${t.status} <> 'received'`),
    index('inbound_messages_campaign_idx').on(t.campaignId, t.createdAt.desc()),
  ],
);

export interface WithheldAttachments {
  /** How many were withheld; `items` lists at most the first 100. */
  count: number;
  items: Array<{ filename: string; contentType: string; reason: string }>;
}

export const replyStatus = pgEnum('reply_status', ['held', 'awaiting_approval', 'forwarded', 'rejected']);

/**
 * An official answer to a campaign. Trusted when its sender is allowed and (unless the installation
 * cannot check DNS) DMARC passed; anything else is held, with its reason, for the organiser.
 */
export const replies = pgTable(
  'replies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    inboundMessageId: uuid('inbound_message_id').references(() => inboundMessages.id, { onDelete: 'set null' }),
    /** The Message-ID header: the same message received twice is one reply. */
    messageId: text('message_id').notNull(),
    fromAddress: text('from_address').notNull(),
    fromName: text('from_name'),
    /** The letter's own date (its Date header, or the date the organiser typed in); null if it had none. */
    datedAt: timestamp('dated_at', { withTimezone: true }),
    /** Who wrote, as the organiser set it when approving; otherwise the From display name or address. */
    author: text('author'),
    /** The introduction supporters get above the reply (a template), as the organiser edited it. */
    introduction: text('introduction'),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    /** Sanitised HTML, safe to show on the campaign page and in mail. */
    html: text('html').notNull(),
    trusted: boolean('trusted').notNull(),
    status: replyStatus('status').notNull(),
    /** Why it was held (or why it needs approval), for the organiser. */
    reason: text('reason'),
    /** DKIM, SPF and DMARC results as recorded by mailauth. */
    authentication: text('authentication'),
    broadcastId: uuid('broadcast_id').references(() => broadcasts.id, { onDelete: 'set null' }),
    /** Attachments received but never forwarded (type, count or size), for the organiser. */
    withheldAttachments: jsonb('withheld_attachments').$type<WithheldAttachments>().notNull().default({ count: 0, items: [] }),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    /** When the organiser approved or rejected it; null while undecided, or when forwarded automatically. */
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    /** The web app user who decided; null with decided_at set when an API key did. */
    decidedByUserId: uuid('decided_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    /** For a reply that came by post: the web app user who entered it (null: an API key). */
    enteredByUserId: uuid('entered_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('replies_campaign_message_key').on(t.campaignId, t.messageId),
    index('replies_campaign_idx').on(t.campaignId, t.receivedAt.desc()),
  ],
);

export const replyAttachments = pgTable(
  'reply_attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    replyId: uuid('reply_id')
      .notNull()
      .references(() => replies.id, { onDelete: 'cascade' }),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    content: bytea('content').notNull(),
  },
  (t) => [index('reply_attachments_reply_idx').on(t.replyId)],
);

export const suppressionReason = pgEnum('suppression_reason', [
  'hard_bounce',
  'complaint',
  'erasure',
  'unsubscribe_all',
]);

/**
 * How a suppression came about: `smtp` a permanent refusal while we sent (5xx at RCPT TO), `dsn` a
 * delivery report received later, `complaint` a feedback-loop report, `unsubscribe` the person's own
 * "unsubscribe from all", `erasure` the person's erasure request.
 */
export const suppressionSource = pgEnum('suppression_source', ['smtp', 'dsn', 'complaint', 'unsubscribe', 'erasure']);

/**
 * Addresses never to be mailed again. `organiser_id` NULL means everywhere (bounces, erasure); a
 * value means "all campaigns of this organisation" (an unsubscribe from all of them, or a complaint
 * about one of its messages). The address is kept only as a SHA-256 of its normalised form so an
 * erased person leaves no readable trace. An erasure is always everywhere. A suppression that is
 * lifted is deleted, its copy kept in `suppression_removals`.
 */
export const suppressions = pgTable(
  'suppressions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    emailHash: bytea('email_hash').notNull(),
    organiserId: uuid('organiser_id').references(() => organisers.id, { onDelete: 'cascade' }),
    reason: suppressionReason('reason').notNull(),
    source: suppressionSource('source').notNull(),
    /** The campaign whose mail or page caused it, when there was one; shown only to that campaign's organiser. */
    campaignId: uuid('campaign_id').references(() => campaigns.id, { onDelete: 'set null' }),
    detail: text('detail'),
    createdAt: createdAt(),
  },
  (t) => [
    unique('suppressions_email_scope_key').on(t.emailHash, t.organiserId).nullsNotDistinct(),
    check('suppressions_scope_matches_reason', sql`${t.reason} <> 'erasure' OR ${t.organiserId} IS NULL`),
    // An organiser's list of its own suppressions, newest first (keyset pages).
    index('suppressions_organiser_created_idx').on(t.organiserId, t.createdAt.desc(), t.id.desc()),
    // Everywhere-suppressions caused by a campaign's mail, listed to that campaign's organiser.
    index('suppressions_campaign_idx').on(t.campaignId).where(sql`${t.campaignId} IS NOT NULL`),
  ],
);

export const deliveryReportKind = pgEnum('delivery_report_kind', ['hard_bounce', 'soft_bounce', 'delayed', 'complaint']);

/**
 * Every delivery report and complaint acted on or recorded: one row per report, naming the ledger row
 * its return path named (exactly one of delivery_id, transactional_message_id, target_letter_id).
 * Read to count a broadcast's bounces after acceptance and complaints (broadcast_id), and an address's
 * soft bounces within SOFT_BOUNCE_WINDOW_DAYS (email_hash, created_at).
 */
export const deliveryReports = pgTable(
  'delivery_reports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    inboundMessageId: uuid('inbound_message_id').references(() => inboundMessages.id, { onDelete: 'set null' }),
    kind: deliveryReportKind('kind').notNull(),
    deliveryId: bigint('delivery_id', { mode: 'number' }).references(() => deliveries.id, { onDelete: 'set null' }),
    broadcastId: uuid('broadcast_id').references(() => broadcasts.id, { onDelete: 'cascade' }),
    transactionalMessageId: uuid('transactional_message_id').references(() => transactionalMessages.id, { onDelete: 'set null' }),
    targetLetterId: uuid('target_letter_id').references(() => targetLetters.id, { onDelete: 'set null' }),
    /** The recipient's address as a hash (see suppressions), so it outlives an erasure; NULL for the target. */
    emailHash: bytea('email_hash'),
    /** The enhanced status code (5.1.1), or the Feedback-Type of a complaint. */
    status: text('status'),
    diagnostic: text('diagnostic'),
    createdAt: createdAt(),
  },
  (t) => [
    index('delivery_reports_broadcast_idx').on(t.broadcastId, t.kind).where(sql`${t.broadcastId} IS NOT NULL`),
    index('delivery_reports_soft_bounce_idx').on(t.emailHash, t.createdAt).where(sql`${t.kind} = 'soft_bounce'`),
    // One report per inbound message: a message processed again after a crash records nothing twice.
    uniqueIndex('delivery_reports_inbound_key').on(t.inboundMessageId),
  ],
);

/**
 * The audit of lifted suppressions: a copy of the suppression as it was, who lifted it (a user of
 * the web app, or an API key) and why. Kept after the suppression row is gone, so the list of who
 * may be mailed again is never silently edited.
 */
export const suppressionRemovals = pgTable(
  'suppression_removals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The id the suppression had; the row itself is deleted. */
    suppressionId: uuid('suppression_id').notNull(),
    organiserId: uuid('organiser_id')
      .notNull()
      .references(() => organisers.id, { onDelete: 'cascade' }),
    emailHash: bytea('email_hash').notNull(),
    suppressionReason: suppressionReason('suppression_reason').notNull(),
    suppressionSource: suppressionSource('suppression_source').notNull(),
    campaignId: uuid('campaign_id').references(() => campaigns.id, { onDelete: 'set null' }),
    detail: text('detail'),
    suppressedAt: timestamp('suppressed_at', { withTimezone: true }).notNull(),
    removedByUserId: uuid('removed_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    removedByApiKeyId: uuid('removed_by_api_key_id').references(() => apiKeys.id, { onDelete: 'set null' }),
    /** Why the organiser lifted it, in their words. */
    reason: text('reason').notNull(),
    removedAt: timestamp('removed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('suppression_removals_organiser_idx').on(t.organiserId, t.removedAt.desc())],
);

export type CampaignRow = typeof campaigns.$inferSelect;
export type OrganiserRow = typeof organisers.$inferSelect;
export type UserRow = typeof users.$inferSelect;

/**
 * One row per running worker process, its heartbeat renewed every few seconds. Ledger rows being
 * sent name their claimant (claimed_by); a claimant silent for DELIVERY_STALE_SECONDS is dead, and
 * any other worker gives its claims back (workers/claim-recovery.ts). A clean shutdown deletes the row.
 */
export const workerProcesses = pgTable('worker_processes', {
  id: uuid('id').primaryKey(),
  /** For the operator: which machine and process this was. */
  host: text('host').notNull(),
  pid: integer('pid').notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }).notNull().defaultNow(),
});
