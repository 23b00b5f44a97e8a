-- Custom SQL migration file, put your code below! --
-- Brings contacts stored before addresses were lower-cased whole (only their domain was) into the one
-- form normaliseEmail (src/supporters/email-address.ts) gives, merging contacts that differ only by
-- letter case into one person. Set-based, once, inside the migrator's transaction; on an empty
-- database or one already normalised every statement finds nothing.
--
-- Merging keeps the oldest contact. A signature of the others moves to it, unless two or more of the
-- group signed the same campaign: then the confirmed (else the older) signature stays, carrying the
-- earliest unsubscribe of them (the person asked for no more mail), and the others are deleted, their
-- mail ledger rows (deliveries, transactional_messages: ON DELETE CASCADE, and the count triggers of
-- 0005/0009 follow the cascade) with them; the campaign's supporter_count loses one for each confirmed
-- signature deleted beside a confirmed one kept. Suppressions are keyed by a hash of the lower-cased
-- address already, so they need nothing.
--
-- Why lower() is acceptable here although normaliseEmail, not Postgres, is the rule: contacts are only
-- ever written by the sign-up (record-signature.ts), whose schema (supporter-schemas.ts) pipes the
-- address through zod's z.email(), ASCII only (letters, digits, _ ' + - . and an ASCII domain), the
-- same since the first sign-up. An ASCII address is lower-cased under the "C" collation, which maps
-- A-Z and nothing else whatever the database's locale (a tr_TR ctype would turn I into dotless ı), so
-- it gets exactly what toLowerCase gives. A non-ASCII address could only have been written by hand;
-- for it, lower() under the database's default collation is the best SQL offers (right for any
-- UTF-8 ctype, É to é), and normaliseEmail stays the rule for every row written from now on.
CREATE TEMPORARY TABLE reconcile_contacts ON COMMIT DROP AS
SELECT id, email, key, first_value(id) OVER same_key AS survivor_id, count(*) OVER same_key AS group_size
FROM (
  SELECT id, email, created_at,
    -- The result back in the column's collation, so key compares with email like any address.
    (CASE WHEN octet_length(email) = char_length(email) THEN lower(email COLLATE "C") ELSE lower(email) END) COLLATE "default" AS key
  FROM contacts
) keyed
WINDOW same_key AS (PARTITION BY key ORDER BY created_at, id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING);
--> statement-breakpoint
DELETE FROM reconcile_contacts WHERE email = key AND group_size = 1;
--> statement-breakpoint
-- Every signature of a contact that is merged, ranked within (person, campaign): first the one that stays.
CREATE TEMPORARY TABLE reconcile_signatures ON COMMIT DROP AS
SELECT s.id, s.campaign_id, c.survivor_id,
  row_number() OVER ranked = 1 AS kept,
  min(s.unsubscribed_at) OVER same_campaign AS unsubscribed_at,
  count(*) FILTER (WHERE s.status = 'confirmed') OVER same_campaign AS confirmed
FROM supporters s
JOIN reconcile_contacts c ON c.id = s.contact_id AND c.group_size > 1
WINDOW same_campaign AS (PARTITION BY c.survivor_id, s.campaign_id),
  ranked AS (same_campaign ORDER BY s.status = 'confirmed' DESC, s.created_at, s.contact_id = c.survivor_id DESC, s.id);
--> statement-breakpoint
UPDATE campaigns SET supporter_count = GREATEST(campaigns.supporter_count - merged.dropped, 0)
FROM (
  SELECT campaign_id, sum(confirmed - 1) AS dropped FROM reconcile_signatures WHERE kept AND confirmed > 1 GROUP BY campaign_id
) merged
WHERE campaigns.id = merged.campaign_id;
--> statement-breakpoint
DELETE FROM supporters USING reconcile_signatures r WHERE supporters.id = r.id AND NOT r.kept;
--> statement-breakpoint
-- One signature per (person, campaign) is left, so the move cannot break supporters_campaign_contact_key.
UPDATE supporters SET contact_id = r.survivor_id, unsubscribed_at = r.unsubscribed_at
FROM reconcile_signatures r
WHERE supporters.id = r.id AND r.kept
  AND (supporters.contact_id <> r.survivor_id OR supporters.unsubscribed_at IS DISTINCT FROM r.unsubscribed_at);
--> statement-breakpoint
-- Their signatures have all moved or gone, so the cascade to supporters takes nothing.
DELETE FROM contacts USING reconcile_contacts c WHERE contacts.id = c.id AND c.id <> c.survivor_id;
--> statement-breakpoint
-- One contact per key is left, so no row takes an address another still holds.
UPDATE contacts SET email = c.key, updated_at = now()
FROM reconcile_contacts c
WHERE contacts.id = c.id AND contacts.email <> c.key;
