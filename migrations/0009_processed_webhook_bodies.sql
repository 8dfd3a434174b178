-- The bodies of webhook events a pool has acted on are cleared after a week (workers/reports/
-- retention.ts); the rows stay for RETENTION_DAYS. This index holds only the rows whose body is
-- still there, so the hourly clearing finds them without walking the weeks already cleared.
CREATE INDEX webhook_events_processed_bodies ON webhook_events (received_at) WHERE state = 'processed' AND body != '';
