-- Every verified Telnyx webhook, stored before it is acknowledged, so nothing Telnyx delivered is
-- lost even before (or if) processing it fails. Keyed by Telnyx's event id, which stays the same
-- across Telnyx's retries: a second delivery of an event finds its row and is not stored again.
CREATE TABLE webhook_events (
  event_id TEXT PRIMARY KEY,        -- data.id; for a signed body that is not an event: 'unparsed:' + SHA-256 of it
  source TEXT NOT NULL,             -- messaging | voice
  event_type TEXT,                  -- null for a quarantined body
  occurred_at TEXT,
  received_at TEXT NOT NULL,        -- ISO 8601, UTC
  path TEXT NOT NULL,
  attempt INTEGER,                  -- meta.attempt of the first delivery stored
  deliveries INTEGER NOT NULL,      -- how many times Telnyx delivered it
  body TEXT NOT NULL,               -- the body exactly as signed (base64 when not UTF-8)
  state TEXT NOT NULL               -- received | quarantined (signed, but not a Telnyx event)
);
CREATE INDEX webhook_events_received ON webhook_events (received_at);
