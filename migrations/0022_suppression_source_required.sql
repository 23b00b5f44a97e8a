ALTER TABLE "suppression_removals" ALTER COLUMN "suppression_source" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "suppressions" ALTER COLUMN "source" SET NOT NULL;