CREATE TABLE "campaign_slugs" (
	"slug" text PRIMARY KEY NOT NULL,
	"organiser_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "campaign_slugs" ADD CONSTRAINT "campaign_slugs_organiser_id_organisers_id_fk" FOREIGN KEY ("organiser_id") REFERENCES "public"."organisers"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
-- Every slug still in the table, live or deleted and awaiting its purge, stays with its organiser.
-- Should two organisers share one (a deleted campaign's slug already taken again), the live campaign
-- keeps it. Slugs of campaigns purged before this migration are gone and cannot be reserved.
INSERT INTO "campaign_slugs" ("slug", "organiser_id", "created_at")
SELECT DISTINCT ON ("slug") "slug", "organiser_id", "created_at"
FROM "campaigns"
ORDER BY "slug", ("deleted_at" IS NULL) DESC, "created_at"
ON CONFLICT ("slug") DO NOTHING;
