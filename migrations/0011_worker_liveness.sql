CREATE TABLE "worker_processes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"pid" integer NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "claimed_by" uuid;--> statement-breakpoint
ALTER TABLE "target_letters" ADD COLUMN "claimed_by" uuid;--> statement-breakpoint
ALTER TABLE "transactional_messages" ADD COLUMN "claimed_by" uuid;