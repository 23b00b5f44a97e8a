CREATE TYPE "public"."action_via" AS ENUM('app', 'api');--> statement-breakpoint
CREATE TYPE "public"."broadcast_action" AS ENUM('start', 'pause', 'resume', 'cancel', 'retry_failed');--> statement-breakpoint
ALTER TYPE "public"."transactional_kind" ADD VALUE 'broadcast_test';--> statement-breakpoint
CREATE TABLE "broadcast_actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"broadcast_id" uuid NOT NULL,
	"action" "broadcast_action" NOT NULL,
	"status" "broadcast_status" NOT NULL,
	"via" "action_via" NOT NULL,
	"user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "broadcast_actions" ADD CONSTRAINT "broadcast_actions_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_actions" ADD CONSTRAINT "broadcast_actions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "broadcast_actions_broadcast_idx" ON "broadcast_actions" USING btree ("broadcast_id","created_at");