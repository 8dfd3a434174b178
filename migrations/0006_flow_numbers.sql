-- Call flows (workers/voice/flows/store.ts). The flow documents live in KV (CONFIG, flow:<id>),
-- where calls read them; these tables decide between writes, which KV cannot: a D1 batch is one
-- transaction, so two flows saved at once cannot both claim a number, nor two creates one id.
-- store.ts explains the order of writes across D1 and KV and how a crash's leftovers heal.

-- One row per flow: which write holds it and until when (writes of one flow take turns).
CREATE TABLE flows (
  id TEXT PRIMARY KEY,
  write_id TEXT NOT NULL,           -- a fresh id per write; later steps of a write act only while it holds the row
  locked_until INTEGER NOT NULL,    -- epoch ms until which that write holds the row; 0 once it is done
  created_at TEXT NOT NULL,         -- ISO 8601, UTC: the document's created_at (kept by PUT)
  written_at TEXT NOT NULL          -- ISO 8601, UTC: when the latest write began
);
CREATE INDEX flows_created ON flows (created_at, id);

-- The claims: a number (+E.164) answers to at most one flow.
CREATE TABLE flow_numbers (
  number TEXT PRIMARY KEY,
  flow_id TEXT NOT NULL,
  claimed_at TEXT NOT NULL          -- ISO 8601, UTC: the latest write of flow_id that listed the number
);
CREATE INDEX flow_numbers_flow ON flow_numbers (flow_id);
