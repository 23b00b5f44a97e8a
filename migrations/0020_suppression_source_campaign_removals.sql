CREATE TYPE "public"."suppression_source" AS ENUM('smtp', 'dsn', 'complaint', 'unsubscribe', 'erasure');--> statement-breakpoint
CREATE TABLE "suppression_removals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"suppression_id" uuid NOT NULL,
	"organiser_id" uuid NOT NULL,
	"email_hash" "bytea" NOT NULL,
	"suppression_reason" "suppression_reason" NOT NULL,
	"suppression_source" "suppression_source",
	"campaign_id" uuid,
	"detail" text,
	"suppressed_at" timestamp with time zone NOT NULL,
	"removed_by_user_id" uuid,
	"removed_by_api_key_id" uuid,
	"reason" text NOT NULL,
	"removed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "suppressions" DROP CONSTRAINT "suppressions_scope_matches_reason";--> statement-breakpoint
ALTER TABLE "suppressions" ADD COLUMN "source" "suppression_source";--> statement-breakpoint
ALTER TABLE "suppressions" ADD COLUMN "campaign_id" uuid;--> statement-breakpoint
ALTER TABLE "suppression_removals" ADD CONSTRAINT "suppression_removals_organiser_id_organisers_id_fk" FOREIGN KEY ("organiser_id") REFERENCES "public"."organisers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "suppression_removals" ADD CONSTRAINT "suppression_removals_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "suppression_removals" ADD CONSTRAINT "suppression_removals_removed_by_user_id_users_id_fk" FOREIGN KEY ("removed_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "suppression_removals" ADD CONSTRAINT "suppression_removals_removed_by_api_key_id_api_keys_id_fk" FOREIGN KEY ("removed_by_api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "suppression_removals_organiser_idx" ON "suppression_removals" USING btree ("organiser_id","removed_at" DESC NULLS LAST);--> statement-breakpoint
ALTER TABLE "suppressions" ADD CONSTRAINT "suppressions_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "suppressions_organiser_created_idx" ON "suppressions" USING btree ("organiser_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "suppressions_campaign_idx" ON "suppressions" USING btree ("campaign_id") WHERE "suppressions"."campaign_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "suppressions" ADD CONSTRAINT "suppressions_scope_matches_reason" CHECK ("suppressions"."reason" <> 'erasure' OR "suppressions"."organiser_id" IS NULL);