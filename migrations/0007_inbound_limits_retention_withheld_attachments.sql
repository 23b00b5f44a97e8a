ALTER TABLE "inbound_messages" ALTER COLUMN "raw" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "inbound_messages" ADD COLUMN "size" integer;--> statement-breakpoint
ALTER TABLE "inbound_messages" ADD COLUMN "campaign_id" uuid;--> statement-breakpoint
ALTER TABLE "inbound_messages" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "replies" ADD COLUMN "withheld_attachments" jsonb DEFAULT '{"count":0,"items":[]}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "inbound_messages" ADD CONSTRAINT "inbound_messages_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "inbound_messages_raw_kept_idx" ON "inbound_messages" USING btree ("created_at") WHERE "inbound_messages"."raw" IS NOT NULL AND "inbound_messages"."status" <> 'received';--> statement-breakpoint
CREATE INDEX "inbound_messages_campaign_idx" ON "inbound_messages" USING btree ("campaign_id","created_at" DESC NULLS LAST);--> statement-breakpoint
UPDATE "inbound_messages" SET "size" = octet_length("raw");