// Values Telnyx's SIP connections take, as its spec lists them: shared by the bundle's connection
// routes (workers/voice/connections/) and the simulator's (sim/connections/), so both accept and
// default to the same things.

/** Where Telnyx anchors a connection's media; "Latency" lets Telnyx choose. */
export const ANCHORSITES = [
  'Latency',
  'Chicago, IL',
  'Ashburn, VA',
  'San Jose, CA',
  'Sydney, Australia',
  'Amsterdam, Netherlands',
  'London, UK',
  'Toronto, Canada',
  'Vancouver, Canada',
  'Frankfurt, Germany',
] as const;

/** The codecs a new connection offers, in Telnyx's order. */
export const DEFAULT_CODECS = ['G722', 'G711U', 'G711A', 'G729', 'OPUS', 'H.264'];

/** Who re-invites for T.38 fax. */
export const T38_SOURCES = ['telnyx', 'customer', 'disabled', 'passthru', 'caller-passthru', 'callee-passthru'];
