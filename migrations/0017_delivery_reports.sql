CREATE TYPE "public"."delivery_report_kind" AS ENUM('hard_bounce', 'soft_bounce', 'delayed', 'complaint');--> statement-breakpoint
CREATE TABLE "delivery_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"inbound_message_id" uuid,
	"kind" "delivery_report_kind" NOT NULL,
	"delivery_id" bigint,
	"broadcast_id" uuid,
	"transactional_message_id" uuid,
	"target_letter_id" uuid,
	"email_hash" "bytea",
	"status" text,
	"diagnostic" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "suppressions" DROP CONSTRAINT "suppressions_scope_matches_reason";--> statement-breakpoint
ALTER TABLE "delivery_reports" ADD CONSTRAINT "delivery_reports_inbound_message_id_inbound_messages_id_fk" FOREIGN KEY ("inbound_message_id") REFERENCES "public"."inbound_messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delivery_reports" ADD CONSTRAINT "delivery_reports_delivery_id_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."deliveries"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delivery_reports" ADD CONSTRAINT "delivery_reports_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delivery_reports" ADD CONSTRAINT "delivery_reports_transactional_message_id_transactional_messages_id_fk" FOREIGN KEY ("transactional_message_id") REFERENCES "public"."transactional_messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delivery_reports" ADD CONSTRAINT "delivery_reports_target_letter_id_target_letters_id_fk" FOREIGN KEY ("target_letter_id") REFERENCES "public"."target_letters"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "delivery_reports_broadcast_idx" ON "delivery_reports" USING btree ("broadcast_id","kind") WHERE "delivery_reports"."broadcast_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "delivery_reports_soft_bounce_idx" ON "delivery_reports" USING btree ("email_hash","created_at") WHERE "delivery_reports"."kind" = 'soft_bounce';--> statement-breakpoint
CREATE UNIQUE INDEX "delivery_reports_inbound_key" ON "delivery_reports" USING btree ("inbound_message_id");--> statement-breakpoint
ALTER TABLE "suppressions" ADD CONSTRAINT "suppressions_scope_matches_reason" CHECK ("suppressions"."reason" IN ('unsubscribe_all', 'complaint') OR "suppressions"."organiser_id" IS NULL);