-- Every call through the edge, for the reports and GET /calls/active: one row per call session,
-- written when the call starts and updated when it ends. The business's own number is kept whole;
-- the other party's is masked.
CREATE TABLE calls (
  session_id TEXT PRIMARY KEY,      -- Telnyx's call_session_id
  direction TEXT NOT NULL,          -- incoming | outgoing
  business_number TEXT,             -- the number called (incoming) or calling (outgoing)
  other_masked TEXT,                -- the caller (incoming) or the number called (outgoing), masked
  connection_id TEXT,
  flow_id TEXT,
  status TEXT NOT NULL,             -- active | ended
  outcome TEXT,                     -- completed, transferred, voicemail, rejected: ..., caller hung up at ...
  hangup_cause TEXT,
  hangup_source TEXT,
  path TEXT,                        -- JSON: the flow's node ids in the order the call went through them
  legs TEXT,                        -- JSON: each leg's role, times, hangup cause
  recording_url TEXT,
  started_at TEXT NOT NULL,
  answered_at TEXT,
  ended_at TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX calls_active ON calls (status, started_at);
CREATE INDEX calls_started ON calls (started_at);
