CREATE TYPE "public"."message_status" AS ENUM('pending', 'sending', 'sent', 'failed', 'skipped');--> statement-breakpoint
CREATE TYPE "public"."transactional_kind" AS ENUM('confirmation', 'letter_copy', 'privacy_link');--> statement-breakpoint
CREATE TABLE "transactional_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"supporter_id" uuid NOT NULL,
	"kind" "transactional_kind" NOT NULL,
	"status" "message_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_response" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "consent_statement" text DEFAULT 'I agree to receive emails about this campaign, including the official reply, and know I can unsubscribe at any time.' NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "supporter_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "supporters" ADD COLUMN "confirmation_sent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD CONSTRAINT "transactional_messages_supporter_id_supporters_id_fk" FOREIGN KEY ("supporter_id") REFERENCES "public"."supporters"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "transactional_messages_one_letter_copy" ON "transactional_messages" USING btree ("supporter_id") WHERE "transactional_messages"."kind" = 'letter_copy';--> statement-breakpoint
CREATE INDEX "transactional_messages_supporter_idx" ON "transactional_messages" USING btree ("supporter_id");--> statement-breakpoint
CREATE INDEX "transactional_messages_unsent_idx" ON "transactional_messages" USING btree ("created_at") WHERE "transactional_messages"."status" IN ('pending', 'sending');--> statement-breakpoint
CREATE INDEX "supporters_campaign_created_idx" ON "supporters" USING btree ("campaign_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);