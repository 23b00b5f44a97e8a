ALTER TYPE "public"."transactional_kind" ADD VALUE 'reply_arrived';--> statement-breakpoint
ALTER TYPE "public"."transactional_kind" ADD VALUE 'broadcast_completed';--> statement-breakpoint
ALTER TYPE "public"."transactional_kind" ADD VALUE 'broadcast_paused';--> statement-breakpoint
ALTER TABLE "transactional_messages" DROP CONSTRAINT "transactional_messages_one_recipient";--> statement-breakpoint
ALTER TABLE "replies" ADD COLUMN "dated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "replies" ADD COLUMN "author" text;--> statement-breakpoint
ALTER TABLE "replies" ADD COLUMN "introduction" text;--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD COLUMN "organiser_id" uuid;--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD COLUMN "recipient" text;--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD COLUMN "notification_key" text;--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD COLUMN "about_id" uuid;--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD COLUMN "details" jsonb;--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD CONSTRAINT "transactional_messages_organiser_id_organisers_id_fk" FOREIGN KEY ("organiser_id") REFERENCES "public"."organisers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "transactional_messages_one_notification" ON "transactional_messages" USING btree ("notification_key","recipient") WHERE "transactional_messages"."notification_key" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "transactional_messages_organiser_idx" ON "transactional_messages" USING btree ("organiser_id") WHERE "transactional_messages"."organiser_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD CONSTRAINT "transactional_messages_one_recipient" CHECK (num_nonnulls("transactional_messages"."supporter_id", "transactional_messages"."sign_in_link_id", "transactional_messages"."organiser_id") = 1 AND ("transactional_messages"."organiser_id" IS NULL OR ("transactional_messages"."recipient" IS NOT NULL AND "transactional_messages"."notification_key" IS NOT NULL)));