CREATE TYPE "public"."campaign_status" AS ENUM('draft', 'open', 'closed');--> statement-breakpoint
CREATE TYPE "public"."reply_mode" AS ENUM('auto', 'approve');--> statement-breakpoint
CREATE TYPE "public"."supporter_status" AS ENUM('unconfirmed', 'confirmed');--> statement-breakpoint
CREATE TYPE "public"."suppression_reason" AS ENUM('hard_bounce', 'complaint', 'erasure', 'unsubscribe_all');--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organiser_id" uuid NOT NULL,
	"key_hash" "bytea" NOT NULL,
	"key_prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organiser_id" uuid NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"summary" text,
	"status" "campaign_status" DEFAULT 'draft' NOT NULL,
	"letter_subject" text NOT NULL,
	"letter_body" text NOT NULL,
	"target_name" text NOT NULL,
	"target_email" text NOT NULL,
	"target_address" text,
	"sender_name" text NOT NULL,
	"sender_email" text NOT NULL,
	"reply_mode" "reply_mode" DEFAULT 'approve' NOT NULL,
	"reply_allowed_senders" text[] DEFAULT '{}'::text[] NOT NULL,
	"reply_token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "contacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "organisers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "supporters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"name" text NOT NULL,
	"postcode" text,
	"status" "supporter_status" DEFAULT 'unconfirmed' NOT NULL,
	"consent_statement" text NOT NULL,
	"consent_at" timestamp with time zone NOT NULL,
	"consent_ip" "inet",
	"confirmed_at" timestamp with time zone,
	"unsubscribed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "suppressions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email_hash" "bytea" NOT NULL,
	"organiser_id" uuid,
	"reason" "suppression_reason" NOT NULL,
	"detail" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "suppressions_email_scope_key" UNIQUE NULLS NOT DISTINCT("email_hash","organiser_id"),
	CONSTRAINT "suppressions_scope_matches_reason" CHECK ("suppressions"."reason" = 'unsubscribe_all' OR "suppressions"."organiser_id" IS NULL)
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_organiser_id_organisers_id_fk" FOREIGN KEY ("organiser_id") REFERENCES "public"."organisers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_organiser_id_organisers_id_fk" FOREIGN KEY ("organiser_id") REFERENCES "public"."organisers"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "supporters" ADD CONSTRAINT "supporters_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "supporters" ADD CONSTRAINT "supporters_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "suppressions" ADD CONSTRAINT "suppressions_organiser_id_organisers_id_fk" FOREIGN KEY ("organiser_id") REFERENCES "public"."organisers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "api_keys_organiser_id_idx" ON "api_keys" USING btree ("organiser_id");--> statement-breakpoint
CREATE UNIQUE INDEX "campaigns_slug_key" ON "campaigns" USING btree ("slug") WHERE "campaigns"."deleted_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "campaigns_reply_token_key" ON "campaigns" USING btree ("reply_token");--> statement-breakpoint
CREATE INDEX "campaigns_organiser_created_idx" ON "campaigns" USING btree ("organiser_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "campaigns_deleted_idx" ON "campaigns" USING btree ("deleted_at") WHERE "campaigns"."deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "contacts_email_key" ON "contacts" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "organisers_email_key" ON "organisers" USING btree (lower("email"));--> statement-breakpoint
CREATE UNIQUE INDEX "supporters_campaign_contact_key" ON "supporters" USING btree ("campaign_id","contact_id");--> statement-breakpoint
CREATE INDEX "supporters_contact_idx" ON "supporters" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "supporters_audience_idx" ON "supporters" USING btree ("campaign_id","id") WHERE "supporters"."status" = 'confirmed' AND "supporters"."unsubscribed_at" IS NULL;