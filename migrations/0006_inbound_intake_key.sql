ALTER TABLE "inbound_messages" ADD COLUMN "intake_key" text;--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_messages_intake_key" ON "inbound_messages" USING btree ("intake_key");