-- Every message through the edge, in and out, for the reports: one row per message, updated as it
-- moves (scheduled, queued, sent, then Telnyx's final status). The pool's own numbers are kept
-- whole (they are the business's); the other party's number is masked.
CREATE TABLE messages (
  id TEXT PRIMARY KEY,              -- the edge's id (an inbound message: Telnyx's)
  telnyx_id TEXT,
  profile_id TEXT NOT NULL,
  direction TEXT NOT NULL,          -- outbound | inbound
  kind TEXT NOT NULL,               -- send | reply (HELP/STOP/START answers) | inbound
  pool_number TEXT,                 -- the pool's number that sent or received it
  other_masked TEXT,                -- the recipient or sender, masked
  other_country TEXT,
  type TEXT,                        -- SMS | MMS
  parts INTEGER,
  encoding TEXT,
  state TEXT NOT NULL,              -- scheduled | queued | sending | sent | unknown | failed | received
  status TEXT,                      -- Telnyx's status: queued, sent, delivered, delivery_failed, ...
  error_code TEXT,
  cost TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT,
  finalized_at TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX messages_telnyx ON messages (telnyx_id);
CREATE INDEX messages_profile_created ON messages (profile_id, created_at);

-- Opt-outs and opt-ins as they happen (the pool's Durable Object holds the current state).
CREATE TABLE opt_out_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  profile_id TEXT NOT NULL,
  recipient_masked TEXT NOT NULL,
  action TEXT NOT NULL,             -- opt_out | opt_in | cleared
  keyword TEXT,
  source TEXT NOT NULL,             -- keyword | telnyx (a 40300 refusal) | operator
  at TEXT NOT NULL
);
CREATE INDEX opt_out_events_at ON opt_out_events (at);
