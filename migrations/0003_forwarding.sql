-- Events forwarded to the business's own URL (workers/messaging/forward/): why deliveries failed,
-- and the events that ran out of retries (the dead letters), kept until an operator redrives them.
-- The message id is the Telnyx event id; it is the Standard Webhooks `webhook-id` the receiver sees,
-- the same on every retry and redrive.

-- Every failed delivery attempt, one row each, so an operator can see why (GET
-- /forwarding/dead-letters shows the last one). Never the body: that lives only in the queue and,
-- once dead, in forward_dead_letters.
CREATE TABLE forward_failures (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,          -- the queue's attempt number, 1 for the first delivery (restarts at 1 after a redrive)
  url TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  status INTEGER,                    -- HTTP status the URL answered; NULL when it did not answer
  error TEXT,                        -- what went wrong, e.g. "HTTP 503", "timed out after 10000 ms"
  response_excerpt TEXT,             -- the first 200 characters of the answer, when there was one
  retry_delay_seconds INTEGER,       -- when the queue tries again; NULL when the message was dead-lettered at once
  at TEXT NOT NULL                   -- ISO 8601, UTC
);
CREATE INDEX forward_failures_message ON forward_failures (message_id, seq);
CREATE INDEX forward_failures_at ON forward_failures (at);

-- Messages that exhausted their retries (or could never be delivered: a malformed message, a URL
-- that is not http(s)). One row per message id: a second delivery of the same dead letter changes
-- nothing; a message that dies again after a redrive is dead again (deaths + 1, redriven_at NULL).
CREATE TABLE forward_dead_letters (
  id TEXT PRIMARY KEY,               -- the message id (Telnyx event id); 'malformed:' + queue message id for a body that is not a ForwardMessage
  url TEXT NOT NULL,
  body TEXT NOT NULL,                -- the JSON that was to be POSTed, exactly
  profile_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  created_at TEXT NOT NULL,          -- when the event was created (ForwardMessage.created_at)
  attempts INTEGER,                  -- attempt number of the last recorded failure; NULL when none was recorded
  last_status INTEGER,
  last_error TEXT,
  last_failure_at TEXT,
  deaths INTEGER NOT NULL,           -- how many times it was dead-lettered
  dead_at TEXT NOT NULL,             -- ISO 8601, UTC: the latest time it was dead-lettered
  redriven_at TEXT,                  -- the latest redrive since then; NULL while it is dead
  redrive_count INTEGER NOT NULL     -- redrives in total
);
CREATE INDEX forward_dead_letters_dead ON forward_dead_letters (dead_at);
CREATE INDEX forward_dead_letters_profile ON forward_dead_letters (profile_id, dead_at);
