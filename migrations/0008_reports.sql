-- Cron jobs and the daily report (workers/reports/). Cron triggers fire at least once, and two
-- firings of the same trigger may overlap, so every job claims its (job, scheduled time) here
-- first: of two runs at once exactly one inserts the row and does the work.

CREATE TABLE cron_runs (
  job TEXT NOT NULL,                -- housekeeping:<worker> | daily_report
  scheduled_time INTEGER NOT NULL,  -- Unix ms, ScheduledController.scheduledTime
  status TEXT NOT NULL,             -- running | ok | failed
  started_at TEXT NOT NULL,         -- ISO 8601, UTC
  finished_at TEXT,
  detail TEXT,                      -- JSON: what the run did, or why it failed
  PRIMARY KEY (job, scheduled_time)
);
CREATE INDEX cron_runs_started ON cron_runs (started_at);

-- One row per report day: what was built, where it is in R2, and whether its summary reached
-- REPORT_WEBHOOK_URL. delivered_at is set once, so a summary is never posted twice.
CREATE TABLE report_runs (
  date TEXT PRIMARY KEY,            -- the UTC day reported on, YYYY-MM-DD
  built_at TEXT NOT NULL,
  partial INTEGER NOT NULL,         -- 1 when built before the day was over
  trigger TEXT NOT NULL,            -- cron | on_demand
  build_ms INTEGER NOT NULL,
  summary TEXT NOT NULL,            -- JSON: the headline figures
  delivery_status TEXT,             -- null (no summary asked) | pending | sending | delivered | failed | not_configured
  delivery_attempts INTEGER NOT NULL DEFAULT 0,
  delivery_claimed_at TEXT,         -- when the current attempt began; a 'sending' claim this old is abandoned
  delivery_error TEXT,
  delivered_at TEXT
);

-- What the report needs that the records did not keep: the meaning Telnyx gave a failure, the
-- currency of a cost, where a call ended (a hangup in a menu is an abandoned call), and which of
-- a pool's numbers an opt-out came to.
ALTER TABLE messages ADD COLUMN error_title TEXT;
ALTER TABLE messages ADD COLUMN cost_currency TEXT;
ALTER TABLE calls ADD COLUMN end_kind TEXT;      -- the kind of the flow node the call was at when it ended
ALTER TABLE opt_out_events ADD COLUMN pool_number TEXT;  -- the pool's number a STOP or START came to

-- The report reads a whole day across every pool; retention deletes by age.
CREATE INDEX messages_created ON messages (created_at);
CREATE INDEX opt_out_events_profile_at ON opt_out_events (profile_id, at);
CREATE INDEX calls_ended ON calls (ended_at);
