-- Suppressions written before sources were recorded: each reason had exactly one writer, except
-- hard bounces, which came either from the SMTP server's refusal while sending or from a delivery
-- report (whose detail said so). The next migration makes the source required.
UPDATE "suppressions" SET "source" = CASE
  WHEN "reason" = 'unsubscribe_all' THEN 'unsubscribe'::suppression_source
  WHEN "reason" = 'erasure' THEN 'erasure'::suppression_source
  WHEN "reason" = 'complaint' THEN 'complaint'::suppression_source
  WHEN "detail" = 'delivery status notification' THEN 'dsn'::suppression_source
  ELSE 'smtp'::suppression_source
END
WHERE "source" IS NULL;
