CREATE TABLE "broadcast_delivery_counts" (
	"broadcast_id" uuid NOT NULL,
	"status" "delivery_status" NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "broadcast_delivery_counts_broadcast_id_status_pk" PRIMARY KEY("broadcast_id","status")
);
--> statement-breakpoint
CREATE TABLE "broadcast_send_seconds" (
	"broadcast_id" uuid NOT NULL,
	"second" timestamp with time zone NOT NULL,
	"sent" integer NOT NULL,
	CONSTRAINT "broadcast_send_seconds_broadcast_id_second_pk" PRIMARY KEY("broadcast_id","second")
);
--> statement-breakpoint
ALTER TABLE "broadcast_delivery_counts" ADD CONSTRAINT "broadcast_delivery_counts_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_send_seconds" ADD CONSTRAINT "broadcast_send_seconds_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE cascade ON UPDATE no action;