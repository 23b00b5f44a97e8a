CREATE TABLE "organiser_logos" (
	"organiser_id" uuid PRIMARY KEY NOT NULL,
	"content_type" text NOT NULL,
	"content" "bytea" NOT NULL,
	"sha256" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "organisers" ADD COLUMN "website" text;--> statement-breakpoint
ALTER TABLE "organisers" ADD COLUMN "postal_address" text;--> statement-breakpoint
ALTER TABLE "target_letters" ADD COLUMN "to_name" text;--> statement-breakpoint
ALTER TABLE "target_letters" ADD COLUMN "to_address" text;--> statement-breakpoint
ALTER TABLE "target_letters" ADD COLUMN "reply_to" text;--> statement-breakpoint
ALTER TABLE "target_letters" ADD COLUMN "subject" text;--> statement-breakpoint
ALTER TABLE "target_letters" ADD COLUMN "pdf" "bytea";--> statement-breakpoint
ALTER TABLE "organiser_logos" ADD CONSTRAINT "organiser_logos_organiser_id_organisers_id_fk" FOREIGN KEY ("organiser_id") REFERENCES "public"."organisers"("id") ON DELETE cascade ON UPDATE no action;