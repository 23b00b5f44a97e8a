-- Custom SQL migration file, put your code below! --
-- Keeps broadcast_delivery_counts and broadcast_send_seconds in step with every statement that
-- writes deliveries (planner, claims, outcomes, cancel, retry-failed, bounce reports, erasure), so
-- no code path can forget to. Once per statement from its transition tables, not once per row.
-- Counter rows are written in key order, so two statements wait for each other, never deadlock.
CREATE FUNCTION count_delivery_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
  statuses delivery_status[];
  ns bigint[];
BEGIN
  -- Each branch names only the transition tables its kind of statement has.
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(broadcast_id), array_agg(status), array_agg(n) INTO ids, statuses, ns
    FROM (SELECT broadcast_id, status, count(*) AS n FROM new_rows GROUP BY 1, 2) change;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(broadcast_id), array_agg(status), array_agg(n) INTO ids, statuses, ns
    FROM (SELECT broadcast_id, status, -count(*) AS n FROM old_rows GROUP BY 1, 2) change;
  ELSE
    SELECT array_agg(broadcast_id), array_agg(status), array_agg(n) INTO ids, statuses, ns
    FROM (
      SELECT broadcast_id, status, count(*) AS n FROM new_rows GROUP BY 1, 2
      UNION ALL
      SELECT broadcast_id, status, -count(*) FROM old_rows GROUP BY 1, 2
    ) change;
  END IF;
  IF ids IS NULL THEN
    RETURN NULL;
  END IF;
  WITH delta AS (
    SELECT change.broadcast_id, change.status, sum(change.n)::bigint AS n
    FROM unnest(ids, statuses, ns) AS change(broadcast_id, status, n)
    -- Rows deleted along with their broadcast count for nothing.
    WHERE EXISTS (SELECT 1 FROM broadcasts b WHERE b.id = change.broadcast_id)
    GROUP BY 1, 2
    HAVING sum(change.n) <> 0
  ), counted AS (
    INSERT INTO broadcast_delivery_counts AS c (broadcast_id, status, n)
    SELECT broadcast_id, status, n FROM delta ORDER BY 1, 2
    ON CONFLICT (broadcast_id, status) DO UPDATE SET n = c.n + excluded.n
  ), pruned AS (
    DELETE FROM broadcast_send_seconds s
    USING delta
    WHERE delta.status = 'sent' AND delta.n > 0 AND s.broadcast_id = delta.broadcast_id AND s.second < now() - interval '1 minute'
  )
  INSERT INTO broadcast_send_seconds AS s (broadcast_id, second, sent)
  SELECT broadcast_id, date_trunc('second', now()), n FROM delta WHERE status = 'sent' AND n > 0 ORDER BY 1
  ON CONFLICT (broadcast_id, second) DO UPDATE SET sent = s.sent + excluded.sent;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER deliveries_counted_on_insert AFTER INSERT ON deliveries
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_delivery_changes();
--> statement-breakpoint
CREATE TRIGGER deliveries_counted_on_update AFTER UPDATE ON deliveries
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_delivery_changes();
--> statement-breakpoint
CREATE TRIGGER deliveries_counted_on_delete AFTER DELETE ON deliveries
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION count_delivery_changes();
--> statement-breakpoint
INSERT INTO broadcast_delivery_counts (broadcast_id, status, n)
SELECT broadcast_id, status, count(*) FROM deliveries GROUP BY 1, 2;
