ALTER TYPE "public"."transactional_kind" ADD VALUE 'sign_in_link';--> statement-breakpoint
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
ALTER TABLE "transactional_messages" ALTER COLUMN "supporter_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD COLUMN "sign_in_link_id" uuid;--> statement-breakpoint
ALTER TABLE "sign_in_links" ADD CONSTRAINT "sign_in_links_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "sign_in_links_token_hash_key" ON "sign_in_links" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "sign_in_links_user_id_idx" ON "sign_in_links" USING btree ("user_id");--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD CONSTRAINT "transactional_messages_sign_in_link_id_sign_in_links_id_fk" FOREIGN KEY ("sign_in_link_id") REFERENCES "public"."sign_in_links"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "transactional_messages_sign_in_link_idx" ON "transactional_messages" USING btree ("sign_in_link_id");--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD CONSTRAINT "transactional_messages_one_recipient" CHECK (("transactional_messages"."supporter_id" IS NULL) <> ("transactional_messages"."sign_in_link_id" IS NULL));