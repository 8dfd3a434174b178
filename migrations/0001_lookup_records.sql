-- The number lookups the edge answered, for the reports (count, cache hit rate, Telnyx calls,
-- latency, cost saved). Numbers are stored masked (last four digits), never whole.

-- Every lookup that was not a plain cache hit: it went to Telnyx (MISS), fell back to a kept
-- answer (STALE), or failed (INVALID, ERROR).
CREATE TABLE lookup_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,                 -- ISO 8601, UTC
  phone_masked TEXT NOT NULL,       -- "+*******0123"
  country TEXT,                     -- ISO 3166, e.g. "US"
  types TEXT NOT NULL,              -- "carrier", "caller-name" or "carrier,caller-name"
  cache TEXT NOT NULL,              -- MISS | STALE | INVALID | ERROR
  upstream_calls INTEGER NOT NULL,  -- Telnyx calls this lookup made itself (0 when it shared one)
  upstream_ms INTEGER,              -- latency of that call
  status INTEGER NOT NULL           -- HTTP status answered
);
CREATE INDEX lookup_events_at ON lookup_events (at);

-- Cache hits, counted per minute, country and types: the bulk of all lookups, and a row each
-- would cost more to write than the hit it records.
CREATE TABLE lookup_hits (
  minute TEXT NOT NULL,             -- "2026-11-23T18:10"
  country TEXT NOT NULL,            -- ISO 3166, or "" when unknown
  types TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (minute, country, types)
);
