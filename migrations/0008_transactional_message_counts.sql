CREATE TABLE "transactional_message_counts" (
	"kind" "transactional_kind" NOT NULL,
	"status" "message_status" NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "transactional_message_counts_kind_status_pk" PRIMARY KEY("kind","status")
);
