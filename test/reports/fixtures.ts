// Report fixtures for the renderers' tests: a builder that derives every total from per-number
// figures (so pools add up to the totals, rates follow from counts and the hourly activity sums to
// the day, as build.ts's reports do), and four days: busy, empty, only failures, and one whose
// names and meanings are as hostile as users and upstream text can make them.
import type {
  FailureCount,
  FlowReport,
  Headline,
  LookupFigures,
  MessagingFigures,
  Money,
  PoolReport,
  Report,
  VoiceFigures,
} from '../../workers/reports/types';

export interface NumberDay {
  number: string;
  sent?: number;
  delivered?: number;
  /** Failures by code: [code, meaning, count]. */
  failures?: Array<[string, string, number]>;
  received?: number;
  replies?: number;
  opt_outs?: number;
  opt_ins?: number;
  /** Sent messages by encoding; defaults to all GSM-7. */
  encodings?: Record<string, number>;
  /** Extra SMS parts beyond one a message. */
  extra_parts?: number;
  /** Cost in millionths of a USD per message, for this many of the sent messages. */
  cost?: { micros_each: number; messages: number; currency?: string };
}

const micros = (amount: string): bigint => {
  const [whole = '0', fraction = ''] = amount.replace('-', '').split('.');
  const value = BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6));
  return amount.startsWith('-') ? -value : value;
};
const amount = (m: bigint): string => {
  const sign = m < 0n ? '-' : '';
  const abs = m < 0n ? -m : m;
  return `${sign}${abs / 1_000_000n}.${String(abs % 1_000_000n).padStart(6, '0')}`;
};

export function numberFigures(day: NumberDay): MessagingFigures {
  const sent = day.sent ?? 0;
  const delivered = day.delivered ?? 0;
  const failures: FailureCount[] = (day.failures ?? []).map(([code, meaning, count]) => ({ code, meaning, count }));
  const failed = failures.reduce((sum, f) => sum + f.count, 0);
  if (delivered + failed > sent) throw new Error(`${day.number}: more outcomes than messages sent`);
  const cost: Money[] =
    day.cost && day.cost.messages > 0
      ? [{ amount: amount(BigInt(day.cost.micros_each * day.cost.messages)), currency: day.cost.currency ?? 'USD' }]
      : [];
  return {
    sent,
    delivered,
    failed,
    unconfirmed: sent - delivered - failed,
    delivery_rate: delivered + failed === 0 ? null : delivered / (delivered + failed),
    failures,
    replies: day.replies ?? 0,
    received: day.received ?? 0,
    opt_outs: day.opt_outs ?? 0,
    opt_ins: day.opt_ins ?? 0,
    parts: sent + (day.extra_parts ?? 0),
    encodings: day.encodings ?? (sent > 0 ? { 'GSM-7': sent } : {}),
    cost,
    cost_known: day.cost?.messages ?? 0,
  };
}

/** Figures of several scopes added up: failures merged by code, money summed exactly per currency. */
export function sumFigures(list: MessagingFigures[]): MessagingFigures {
  const count = (pick: (f: MessagingFigures) => number) => list.reduce((sum, f) => sum + pick(f), 0);
  const failures = new Map<string, FailureCount>();
  const encodings: Record<string, number> = {};
  const costs = new Map<string, bigint>();
  for (const f of list) {
    for (const failure of f.failures) {
      const seen = failures.get(failure.code);
      failures.set(failure.code, { ...failure, count: (seen?.count ?? 0) + failure.count });
    }
    for (const [encoding, n] of Object.entries(f.encodings)) encodings[encoding] = (encodings[encoding] ?? 0) + n;
    for (const money of f.cost) costs.set(money.currency, (costs.get(money.currency) ?? 0n) + micros(money.amount));
  }
  const delivered = count((f) => f.delivered);
  const failed = count((f) => f.failed);
  return {
    sent: count((f) => f.sent),
    delivered,
    failed,
    unconfirmed: count((f) => f.unconfirmed),
    delivery_rate: delivered + failed === 0 ? null : delivered / (delivered + failed),
    failures: [...failures.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    replies: count((f) => f.replies),
    received: count((f) => f.received),
    opt_outs: count((f) => f.opt_outs),
    opt_ins: count((f) => f.opt_ins),
    parts: count((f) => f.parts),
    encodings,
    cost: [...costs].map(([currency, m]) => ({ amount: amount(m), currency })),
    cost_known: count((f) => f.cost_known),
  };
}

export interface PoolDay {
  profile_id: string;
  name: string;
  numbers: NumberDay[];
}

export interface ReportInput {
  date: string;
  partial?: boolean;
  pools?: PoolDay[];
  voice?: Partial<VoiceFigures>;
  lookups?: Partial<LookupFigures>;
  /** The headline figures of the day before; null for none at all (the first day on record). */
  previous?: Partial<Record<keyof Headline, number | null>> | null;
  /** Weight of each hour in the day's activity (24 numbers); a business-hours curve by default. */
  hourWeights?: number[];
}

// Quiet at night, busy 14:00-22:00 UTC (a US business's day).
const BUSINESS_HOURS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 5, 8, 9, 10, 9, 9, 8, 7, 5, 3, 2];

/** n spread over the hours by weight, whole numbers that add up to n exactly (largest remainders). */
export function spread(n: number, weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  if (n === 0 || total === 0) return weights.map(() => 0);
  const exact = weights.map((w) => (n * w) / total);
  const out = exact.map(Math.floor);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  const missing = n - out.reduce((a, b) => a + b, 0);
  for (let k = 0; k < missing; k++) out[order[k]![1]]! += 1;
  return out;
}

export function buildReport(input: ReportInput): Report {
  const pools: PoolReport[] = (input.pools ?? []).map((pool) => {
    const numbers = pool.numbers.map((n) => ({ number: n.number, figures: numberFigures(n) }));
    return {
      profile_id: pool.profile_id,
      name: pool.name,
      figures: sumFigures(numbers.map((n) => n.figures)),
      numbers,
    };
  });
  const totals = sumFigures(pools.map((p) => p.figures));

  const flows = input.voice?.flows ?? [];
  // No prototype: an outcome named "__proto__" must count like any other name.
  const outcomes: Record<string, number> = Object.create(null);
  for (const flow of flows) {
    for (const [name, n] of Object.entries(flow.outcomes)) outcomes[name] = (outcomes[name] ?? 0) + n;
  }
  const voice: VoiceFigures = {
    inbound: flows.reduce((sum, f) => sum + f.calls, 0),
    outbound: 0,
    answered: flows.reduce((sum, f) => sum + f.answered, 0),
    missed: 0,
    abandoned_in_menu: 0,
    duration_seconds: { median: null, p90: null },
    outcomes,
    flows,
    ...input.voice,
  };

  const lookupCount = input.lookups?.lookups ?? 0;
  const hits = input.lookups?.cache_hits ?? 0;
  const price = input.lookups?.price_per_lookup_usd ?? 0.005;
  const lookups: LookupFigures = {
    lookups: lookupCount,
    cache_hits: hits,
    hit_rate: lookupCount === 0 ? null : hits / lookupCount,
    upstream_calls: lookupCount - hits,
    stale_served: 0,
    errors: 0,
    price_per_lookup_usd: price,
    cost_saved_usd: hits * price,
    ...input.lookups,
  };

  const weights = input.hourWeights ?? BUSINESS_HOURS;
  const sentByHour = spread(totals.sent, weights);
  const receivedByHour = spread(totals.received, weights);
  const callsByHour = spread(voice.inbound + voice.outbound, weights);
  const lookupsByHour = spread(lookups.lookups, weights);
  const hourly = weights.map((_, hour) => ({
    hour,
    messages_sent: sentByHour[hour]!,
    messages_received: receivedByHour[hour]!,
    calls: callsByHour[hour]!,
    lookups: lookupsByHour[hour]!,
  }));

  const today: Record<keyof Headline, number> = {
    messages_sent: totals.sent,
    delivery_rate: totals.delivery_rate ?? 0,
    messages_failed: totals.failed,
    opt_outs: totals.opt_outs,
    calls: voice.inbound + voice.outbound,
    calls_answered: voice.answered,
    calls_missed: voice.missed,
    lookups: lookups.lookups,
    lookup_hit_rate: lookups.hit_rate ?? 0,
  };
  const previous = input.previous ?? null;
  const headline = Object.fromEntries(
    Object.entries(today).map(([key, value]) => [
      key,
      { value, previous: previous === null ? null : (previous[key as keyof Headline] ?? null) },
    ]),
  ) as unknown as Headline;

  const from = `${input.date}T00:00:00.000Z`;
  const to = new Date(Date.parse(from) + 86_400_000).toISOString();
  return {
    date: input.date,
    from,
    to,
    generated_at: input.partial
      ? `${input.date}T15:42:10.000Z`
      : new Date(Date.parse(to) + 6 * 3_600_000).toISOString(),
    partial: input.partial ?? false,
    headline,
    messaging: { totals, pools },
    voice,
    lookups,
    hourly,
  };
}

export function flow(
  flow_id: string,
  calls: number,
  answered: number,
  outcomes: Record<string, number>,
  menu_choices: FlowReport['menu_choices'] = [],
): FlowReport {
  return {
    flow_id,
    calls,
    answered,
    outcomes,
    menu_choices,
    transfers: outcomes.transferred ?? 0,
    voicemails: outcomes.voicemail ?? 0,
  };
}

const UNDELIVERABLE = 'Undeliverable: the carrier could not deliver the message';
const NOT_ROUTABLE = 'Not routable: the destination number cannot receive messages';
const STOPPED = 'Blocked due to STOP message';
const SPAM = 'Blocked as spam - temporary';

/** A busy weekday: two pools, five numbers, four failure codes, three flows, many lookups. */
export function busyDay(): Report {
  return buildReport({
    date: '2026-11-20',
    pools: [
      {
        profile_id: '40019a3f-1f5c-4e59-9b8e-35c3ff9d1e01',
        name: 'Sales outreach',
        numbers: [
          {
            number: '+13125550100',
            sent: 812,
            delivered: 779,
            failures: [
              ['40008', UNDELIVERABLE, 14],
              ['40001', NOT_ROUTABLE, 6],
            ],
            received: 141,
            replies: 9,
            opt_outs: 7,
            opt_ins: 2,
            encodings: { 'GSM-7': 760, 'UCS-2': 40, MMS: 12 },
            extra_parts: 203,
            cost: { micros_each: 4000, messages: 790 },
          },
          {
            number: '+13125550101',
            sent: 655,
            delivered: 640,
            failures: [
              ['40008', UNDELIVERABLE, 9],
              ['40300', STOPPED, 2],
            ],
            received: 97,
            replies: 4,
            opt_outs: 3,
            encodings: { 'GSM-7': 650, 'UCS-2': 5 },
            extra_parts: 88,
            cost: { micros_each: 4000, messages: 651 },
          },
          {
            number: '+18005550199',
            sent: 230,
            delivered: 229,
            failures: [['unknown', 'No error code reported', 1]],
            received: 12,
            cost: { micros_each: 7500, messages: 230 },
          },
        ],
      },
      {
        profile_id: '40019a3f-1f5c-4e59-9b8e-35c3ff9d1e02',
        name: 'Support',
        numbers: [
          {
            number: '+14155550123',
            sent: 96,
            delivered: 90,
            failures: [['40002', SPAM, 3]],
            received: 188,
            replies: 1,
            opt_outs: 1,
            opt_ins: 1,
            encodings: { 'GSM-7': 80, 'UCS-2': 16 },
            extra_parts: 31,
          },
          {
            number: '+442071838750',
            sent: 4,
            delivered: 4,
            received: 3,
            cost: { micros_each: 40000, messages: 4, currency: 'EUR' },
          },
        ],
      },
    ],
    voice: {
      inbound: 153,
      outbound: 18,
      missed: 9,
      abandoned_in_menu: 6,
      duration_seconds: { median: 94, p90: 412 },
      flows: [
        flow('main-menu', 131, 124, { completed: 71, transferred: 38, voicemail: 9, abandoned: 6, missed: 7 }, [
          { menu: 'welcome', next: 'sales', count: 52 },
          { menu: 'welcome', next: 'support', count: 47 },
          { menu: 'welcome', next: 'hours', count: 19 },
          { menu: 'support', next: 'voicemail', count: 9 },
        ]),
        flow('after-hours', 22, 20, { voicemail: 18, completed: 2, missed: 2 }),
        flow('outbound-reminders', 18, 15, { completed: 15, no_answer: 3 }),
      ],
    },
    lookups: { lookups: 640, cache_hits: 497, stale_served: 4, errors: 2 },
    previous: {
      messages_sent: 1702,
      delivery_rate: 0.9751,
      messages_failed: 41,
      opt_outs: 11,
      calls: 171,
      calls_answered: 150,
      calls_missed: 9,
      lookups: 0,
      lookup_hit_rate: 0.7,
    },
  });
}

/** A day with nothing at all, and no day before it on record. */
export function emptyDay(): Report {
  return buildReport({ date: '2026-11-21', previous: null });
}

/** Every message failed (an expired 10DLC campaign, say); no calls, no lookups; a quiet day before. */
export function failuresOnlyDay(): Report {
  return buildReport({
    date: '2026-11-22',
    pools: [
      {
        profile_id: 'pool-blocked',
        name: 'Campaign',
        numbers: [
          {
            number: '+13125550150',
            sent: 38,
            failures: [
              ['40010', 'Not 10DLC registered', 30],
              ['40002', SPAM, 8],
            ],
          },
        ],
      },
    ],
    previous: {
      messages_sent: 0,
      delivery_rate: 0,
      messages_failed: 0,
      opt_outs: 0,
      calls: 0,
      calls_answered: 0,
      calls_missed: 0,
      lookups: 0,
      lookup_hit_rate: 0,
    },
  });
}

/** Strings users and upstream text can put in a report, each aimed at one renderer's weak spot. */
export const NASTY = {
  script: '<script>alert("pool")</script>',
  quoted: '"a,b"',
  formula: '=HYPERLINK("http://evil.example/x","click me")',
  plus: '+1 (312) 555-0100 office',
  minus: '-2+3',
  at: '@SUM(A1:A9)',
  tab: '\tindented',
  newline: 'two\r\nlines',
  emoji: 'Support 🛟 👩‍👩‍👧 team',
  mention: '<!channel> & <@U123>',
  markup: '</svg><img src=x onerror="alert(1)">',
  attribute: "' onmouseover='alert(1)",
  long: 'Ω'.repeat(300),
} as const;

/** A partial day whose pool names, flow ids, menu nodes and failure meanings are all hostile. */
export function nastyDay(): Report {
  return buildReport({
    date: '2026-11-23',
    partial: true,
    pools: [
      {
        profile_id: 'pool,"1"',
        name: NASTY.script,
        numbers: [
          {
            number: '+13125550177',
            sent: 20,
            delivered: 15,
            failures: [
              ['40008', NASTY.formula, 2],
              ['=1+1', NASTY.newline, 1],
            ],
            received: 5,
            cost: { micros_each: 4000, messages: 20 },
          },
        ],
      },
      { profile_id: 'p2', name: NASTY.quoted, numbers: [{ number: '+13125550178', sent: 3, delivered: 3 }] },
      { profile_id: 'p3', name: NASTY.formula, numbers: [{ number: '+13125550179', sent: 1, delivered: 1 }] },
      { profile_id: 'p4', name: NASTY.emoji, numbers: [{ number: '+13125550180', sent: 2, delivered: 2 }] },
      { profile_id: 'p5', name: NASTY.mention, numbers: [] },
      { profile_id: 'p6', name: NASTY.long, numbers: [{ number: '+13125550181', sent: 1, delivered: 0 }] },
      { profile_id: NASTY.minus, name: NASTY.plus, numbers: [] },
      { profile_id: NASTY.at, name: NASTY.tab, numbers: [] },
    ],
    voice: {
      flows: [
        flow(NASTY.markup, 4, 3, { [NASTY.attribute]: 2, completed: 1, '<u>x</u>': 1 }, [
          { menu: NASTY.script, next: NASTY.formula, count: 2 },
        ]),
      ],
    },
    lookups: { lookups: 3, cache_hits: 1 },
    previous: { messages_sent: 12 },
  });
}
