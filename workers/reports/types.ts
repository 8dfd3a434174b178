// The daily report as data: what build.ts computes from D1 and every renderer (JSON, CSV, HTML,
// the chat summary) reads. The JSON file in R2 is exactly this object, so its field names are a
// contract with whoever downloads it; add fields, do not rename them.

/**
 * A figure and the same figure the day before. `previous` is null when that day had no activity;
 * a rate is null on a day with nothing to rate (no deliveries, no lookups), never 0.
 */
export interface Compared {
  value: number | null;
  previous: number | null;
}

export interface FailureCount {
  /** Telnyx's error code, e.g. "40008"; "unknown" when the failure carried none. */
  code: string;
  /** What the code means: Telnyx's own title when a record kept it, else the edge's table. */
  meaning: string;
  count: number;
}

export interface Money {
  /** Decimal text, as Telnyx writes amounts ("0.0040"); summed exactly in millionths. */
  amount: string;
  currency: string;
}

export interface MessagingFigures {
  /** Outbound messages the business sent (replies to STOP/HELP/START not included). */
  sent: number;
  delivered: number;
  failed: number;
  /** Sent, but with no final delivery status (Telnyx's delivery_unconfirmed, or none yet). */
  unconfirmed: number;
  /** delivered / (delivered + failed); null when neither happened. */
  delivery_rate: number | null;
  failures: FailureCount[];
  /** Automatic answers to STOP, START and HELP. */
  replies: number;
  received: number;
  opt_outs: number;
  opt_ins: number;
  /** SMS parts of everything sent (MMS count one each). */
  parts: number;
  /** Sent messages by encoding: GSM-7, UCS-2, and MMS (no text encoding). */
  encodings: Record<string, number>;
  /** Summed cost of the messages whose cost Telnyx reported, per currency. */
  cost: Money[];
  /** How many of the sent messages had a cost. */
  cost_known: number;
}

export interface PoolReport {
  profile_id: string;
  /** The profile's name when it still exists, else its id. */
  name: string;
  figures: MessagingFigures;
  numbers: Array<{ number: string; figures: MessagingFigures }>;
}

export interface FlowReport {
  flow_id: string;
  calls: number;
  answered: number;
  /** Outcomes as the call records name them (completed, transferred, voicemail, ...), by count. */
  outcomes: Record<string, number>;
  /** Each menu's choices: the node a caller went to from the menu, by count. */
  menu_choices: Array<{ menu: string; next: string; count: number }>;
  transfers: number;
  voicemails: number;
}

export interface VoiceFigures {
  inbound: number;
  outbound: number;
  answered: number;
  /** Inbound calls never answered (rejected, or the caller gave up while it rang). */
  missed: number;
  /** Answered calls the caller left while a menu waited for digits. */
  abandoned_in_menu: number;
  /** From answer to end, of answered calls that ended. */
  duration_seconds: { median: number | null; p90: number | null };
  outcomes: Record<string, number>;
  flows: FlowReport[];
}

export interface LookupFigures {
  lookups: number;
  cache_hits: number;
  /** cache_hits / lookups; null with no lookups. */
  hit_rate: number | null;
  upstream_calls: number;
  stale_served: number;
  errors: number;
  /** The price the configuration gives one Telnyx lookup (LOOKUP_PRICE_USD). */
  price_per_lookup_usd: number;
  /** What the cache hits would have cost at that price. */
  cost_saved_usd: number;
}

/** The figures the summary and the comparison with the day before use. */
export interface Headline {
  messages_sent: Compared;
  delivery_rate: Compared;
  messages_failed: Compared;
  opt_outs: Compared;
  calls: Compared;
  calls_answered: Compared;
  calls_missed: Compared;
  lookups: Compared;
  lookup_hit_rate: Compared;
}

export interface Report {
  /** The UTC day reported on, YYYY-MM-DD. */
  date: string;
  /** The day as an interval: [from, to), ISO 8601 UTC. */
  from: string;
  to: string;
  generated_at: string;
  /** True when built before the day was over (an on-demand run for today). */
  partial: boolean;
  headline: Headline;
  messaging: { totals: MessagingFigures; pools: PoolReport[] };
  voice: VoiceFigures;
  lookups: LookupFigures;
  /** Hour-by-hour activity of the day, 24 entries, for the charts. */
  hourly: Array<{ hour: number; messages_sent: number; messages_received: number; calls: number; lookups: number }>;
}
