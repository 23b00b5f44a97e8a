CREATE TYPE "public"."user_role" AS ENUM('owner', 'editor');--> statement-breakpoint
ALTER TYPE "public"."transactional_kind" ADD VALUE 'sign_in_link';--> statement-breakpoint
ALTER TYPE "public"."transactional_kind" ADD VALUE 'reply_arrived';--> statement-breakpoint
ALTER TYPE "public"."transactional_kind" ADD VALUE 'broadcast_completed';--> statement-breakpoint
ALTER TYPE "public"."transactional_kind" ADD VALUE 'broadcast_paused';--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"token_hash" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sign_in_links" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"token_hash" "bytea" NOT NULL,
	"invited_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organiser_id" uuid NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"role" "user_role" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "transactional_messages" ALTER COLUMN "supporter_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "replies" ADD COLUMN "dated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "replies" ADD COLUMN "author" text;--> statement-breakpoint
ALTER TABLE "replies" ADD COLUMN "introduction" text;--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD COLUMN "sign_in_link_id" uuid;--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD COLUMN "organiser_id" uuid;--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD COLUMN "recipient" text;--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD COLUMN "notification_key" text;--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD COLUMN "about_id" uuid;--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD COLUMN "details" jsonb;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sign_in_links" ADD CONSTRAINT "sign_in_links_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_organiser_id_organisers_id_fk" FOREIGN KEY ("organiser_id") REFERENCES "public"."organisers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_token_hash_key" ON "sessions" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "sessions_user_id_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sign_in_links_token_hash_key" ON "sign_in_links" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "sign_in_links_user_id_idx" ON "sign_in_links" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree ("email");--> statement-breakpoint
CREATE INDEX "users_organiser_id_idx" ON "users" USING btree ("organiser_id");--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD CONSTRAINT "transactional_messages_sign_in_link_id_sign_in_links_id_fk" FOREIGN KEY ("sign_in_link_id") REFERENCES "public"."sign_in_links"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD CONSTRAINT "transactional_messages_organiser_id_organisers_id_fk" FOREIGN KEY ("organiser_id") REFERENCES "public"."organisers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "transactional_messages_sign_in_link_idx" ON "transactional_messages" USING btree ("sign_in_link_id");--> statement-breakpoint
CREATE UNIQUE INDEX "transactional_messages_one_notification" ON "transactional_messages" USING btree ("notification_key","recipient") WHERE "transactional_messages"."notification_key" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "transactional_messages_organiser_idx" ON "transactional_messages" USING btree ("organiser_id") WHERE "transactional_messages"."organiser_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD CONSTRAINT "transactional_messages_one_recipient" CHECK (num_nonnulls("transactional_messages"."supporter_id", "transactional_messages"."sign_in_link_id", "transactional_messages"."organiser_id") = 1 AND ("transactional_messages"."organiser_id" IS NULL OR ("transactional_messages"."recipient" IS NOT NULL AND "transactional_messages"."notification_key" IS NOT NULL)));