-- SIP connection configs (workers/voice/connections/): the claim that keeps credential user names
-- unique, and the hourly re-sync from Telnyx in upstream mode with the drift each run found.

-- One row per credential user name in use, lower-cased: the primary key is the claim. Two creates of
-- the same name at once both INSERT; D1 lets exactly one succeed, whatever KV shows at that moment.
CREATE TABLE connection_user_names (
  user_name_key TEXT PRIMARY KEY,     -- the user name, lower-cased (user names are unique without regard to case)
  connection_id TEXT NOT NULL,        -- the connection holding it; 'pending:<uuid>' while Telnyx is being asked (upstream mode)
  claimed_at INTEGER NOT NULL         -- Unix ms; a claim whose holder has been gone from KV for over 60 s may be taken over
);
CREATE INDEX connection_user_names_connection ON connection_user_names (connection_id);

-- One row per sync run. scheduled_time is the cron's scheduled time: a cron that fires twice for the
-- same time syncs once (a failed run may be retried).
CREATE TABLE connection_sync_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  scheduled_time INTEGER NOT NULL UNIQUE,  -- Unix ms, ScheduledController.scheduledTime
  cron TEXT NOT NULL,
  started_at TEXT NOT NULL,                -- ISO 8601, UTC
  finished_at TEXT,
  status TEXT NOT NULL,                    -- running | ok | failed
  checked INTEGER,                         -- records compared (every resource kind)
  drifted INTEGER,                         -- records that differed
  error TEXT                               -- why a failed run failed
);

-- What a run found different between the edge's copy and Telnyx, one row per record. The edge's
-- copy is replaced by Telnyx's after the row is written.
CREATE TABLE connection_sync_drift (
  run_id INTEGER NOT NULL REFERENCES connection_sync_runs (id),
  resource TEXT NOT NULL,            -- credential_connection | ip_connection | fqdn_connection | fqdn | ip | outbound_voice_profile
  resource_id TEXT NOT NULL,
  change TEXT NOT NULL,              -- added (new at Telnyx) | removed (gone from Telnyx) | changed | local_only (made in local mode, kept)
  fields TEXT NOT NULL,              -- JSON [{ pointer, edge, telnyx }] for changed records, [] otherwise; passwords never written
  PRIMARY KEY (run_id, resource, resource_id)
);
