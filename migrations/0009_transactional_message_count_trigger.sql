-- Custom SQL migration file, put your code below! --
-- Keeps transactional_message_counts in step with every statement that writes transactional_messages
-- (sign-up, confirmation, privacy links, the worker's claims and outcomes, erasure and purges by
-- cascade), once per statement from its transition tables, like count_delivery_changes (0005).
-- Counter rows are written in key order, so two statements wait for each other, never deadlock.
CREATE FUNCTION count_transactional_message_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  kinds transactional_kind[];
  statuses message_status[];
  ns bigint[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(kind), array_agg(status), array_agg(n) INTO kinds, statuses, ns
    FROM (SELECT kind, status, count(*) AS n FROM new_rows GROUP BY 1, 2) change;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(kind), array_agg(status), array_agg(n) INTO kinds, statuses, ns
    FROM (SELECT kind, status, -count(*) AS n FROM old_rows GROUP BY 1, 2) change;
  ELSE
    SELECT array_agg(kind), array_agg(status), array_agg(n) INTO kinds, statuses, ns
    FROM (
      SELECT kind, status, count(*) AS n FROM new_rows GROUP BY 1, 2
      UNION ALL
      SELECT kind, status, -count(*) FROM old_rows GROUP BY 1, 2
    ) change;
  END IF;
  IF kinds IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO transactional_message_counts AS c (kind, status, n)
  SELECT change.kind, change.status, sum(change.n)::bigint
  FROM unnest(kinds, statuses, ns) AS change(kind, status, n)
  GROUP BY 1, 2
  HAVING sum(change.n) <> 0
  ORDER BY 1, 2
  ON CONFLICT (kind, status) DO UPDATE SET n = c.n + excluded.n;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER transactional_messages_counted_on_insert AFTER INSERT ON transactional_messages
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_transactional_message_changes();
--> statement-breakpoint
CREATE TRIGGER transactional_messages_counted_on_update AFTER UPDATE ON transactional_messages
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_transactional_message_changes();
--> statement-breakpoint
CREATE TRIGGER transactional_messages_counted_on_delete AFTER DELETE ON transactional_messages
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION count_transactional_message_changes();
--> statement-breakpoint
INSERT INTO transactional_message_counts (kind, status, n)
SELECT kind, status, count(*) FROM transactional_messages GROUP BY 1, 2;
