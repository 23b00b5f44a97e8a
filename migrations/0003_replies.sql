CREATE TYPE "public"."inbound_status" AS ENUM('received', 'processed', 'failed');--> statement-breakpoint
CREATE TYPE "public"."reply_status" AS ENUM('held', 'awaiting_approval', 'forwarded', 'rejected');--> statement-breakpoint
CREATE TABLE "inbound_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"via" text NOT NULL,
	"envelope_from" text,
	"envelope_to" text[] NOT NULL,
	"remote_address" text,
	"helo" text,
	"raw" "bytea" NOT NULL,
	"status" "inbound_status" DEFAULT 'received' NOT NULL,
	"outcome" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "replies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"inbound_message_id" uuid,
	"message_id" text NOT NULL,
	"from_address" text NOT NULL,
	"from_name" text,
	"subject" text NOT NULL,
	"text" text NOT NULL,
	"html" text NOT NULL,
	"trusted" boolean NOT NULL,
	"status" "reply_status" NOT NULL,
	"reason" text,
	"authentication" text,
	"broadcast_id" uuid,
	"received_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reply_attachments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reply_id" uuid NOT NULL,
	"filename" text NOT NULL,
	"content_type" text NOT NULL,
	"content" "bytea" NOT NULL
);
--> statement-breakpoint
ALTER TABLE "broadcasts" ADD COLUMN "reply_id" uuid;--> statement-breakpoint
ALTER TABLE "replies" ADD CONSTRAINT "replies_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replies" ADD CONSTRAINT "replies_inbound_message_id_inbound_messages_id_fk" FOREIGN KEY ("inbound_message_id") REFERENCES "public"."inbound_messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replies" ADD CONSTRAINT "replies_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reply_attachments" ADD CONSTRAINT "reply_attachments_reply_id_replies_id_fk" FOREIGN KEY ("reply_id") REFERENCES "public"."replies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "inbound_messages_unprocessed_idx" ON "inbound_messages" USING btree ("created_at") WHERE "inbound_messages"."status" = 'received';--> statement-breakpoint
CREATE UNIQUE INDEX "replies_campaign_message_key" ON "replies" USING btree ("campaign_id","message_id");--> statement-breakpoint
CREATE INDEX "replies_campaign_idx" ON "replies" USING btree ("campaign_id","received_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "reply_attachments_reply_idx" ON "reply_attachments" USING btree ("reply_id");