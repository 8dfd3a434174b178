// Builds a day's Report from the records in D1 (and, for names and menus, the config in KV). The
// day before is summed too, for the headline's comparison; a day with no records at all counts
// as not there (previous: null) rather than as a day of zeros.

import { addDays, dayBounds } from './days';
import { hourlyActivity } from './hourly';
import { lookupSection } from './lookups';
import { emptyMessagingFigures, messagingSection } from './messaging';
import type { Compared, Headline, LookupFigures, MessagingFigures, Report, VoiceFigures } from './types';
import { voiceSection } from './voice';

interface Figures {
  messaging: MessagingFigures;
  voice: Pick<VoiceFigures, 'inbound' | 'outbound' | 'answered' | 'missed'>;
  lookups: Pick<LookupFigures, 'lookups' | 'hit_rate'>;
}

/** Names of the pools, from KV (`profile:<id>`, the messaging worker's format). */
async function poolNames(kv: KVNamespace, ids: readonly string[]): Promise<Map<string, string>> {
  const profiles = await Promise.all(ids.map((id) => kv.get<{ name?: string }>(`profile:${id}`, 'json')));
  return new Map(ids.flatMap((id, i) => (typeof profiles[i]?.name === 'string' ? [[id, profiles[i]!.name!]] : [])));
}

async function profilesOfDay(db: D1Database, range: { from: string; to: string }): Promise<string[]> {
  const { results } = await db
    .prepare('SELECT DISTINCT profile_id FROM messages WHERE created_at >= ?1 AND created_at < ?2')
    .bind(range.from, range.to)
    .all<{ profile_id: string }>();
  return results.map((r) => r.profile_id);
}

/** The few totals of the day before that the headline compares with; undefined for an empty day. */
async function previousFigures(
  db: D1Database,
  kv: KVNamespace,
  day: string,
  price: number,
): Promise<Figures | undefined> {
  const range = { from: addDays(day, -1), to: day };
  const [messaging, voice, lookups] = await Promise.all([
    messagingSection(db, range, new Map()),
    voiceSection(db, kv, range, { menuChoices: false }),
    lookupSection(db, range, price),
  ]);
  const empty = messaging.pools.length === 0 && voice.inbound + voice.outbound === 0 && lookups.lookups === 0;
  return empty ? undefined : { messaging: messaging.totals, voice, lookups };
}

function compared(value: number | null, previous: number | null | undefined): Compared {
  return { value, previous: previous ?? null };
}

function headline(today: Figures, before: Figures | undefined): Headline {
  return {
    messages_sent: compared(today.messaging.sent, before?.messaging.sent),
    delivery_rate: compared(today.messaging.delivery_rate, before?.messaging.delivery_rate),
    messages_failed: compared(today.messaging.failed, before?.messaging.failed),
    opt_outs: compared(today.messaging.opt_outs, before?.messaging.opt_outs),
    calls: compared(today.voice.inbound + today.voice.outbound, before && before.voice.inbound + before.voice.outbound),
    calls_answered: compared(today.voice.answered, before?.voice.answered),
    calls_missed: compared(today.voice.missed, before?.voice.missed),
    lookups: compared(today.lookups.lookups, before?.lookups.lookups),
    lookup_hit_rate: compared(today.lookups.hit_rate, before?.lookups.hit_rate),
  };
}

export async function buildReport(
  env: Pick<Env, 'DB' | 'CONFIG'>,
  day: string,
  options: { now: number; lookupPriceUsd: number },
): Promise<Report> {
  const range = { from: day, to: addDays(day, 1) };
  const names = await poolNames(env.CONFIG, await profilesOfDay(env.DB, range));
  const [messaging, voice, lookups, hourly, before] = await Promise.all([
    messagingSection(env.DB, range, names),
    voiceSection(env.DB, env.CONFIG, range),
    lookupSection(env.DB, range, options.lookupPriceUsd),
    hourlyActivity(env.DB, range),
    previousFigures(env.DB, env.CONFIG, day, options.lookupPriceUsd),
  ]);
  const bounds = dayBounds(day);
  return {
    date: day,
    from: bounds.from,
    to: bounds.to,
    generated_at: new Date(options.now).toISOString(),
    partial: options.now < Date.parse(bounds.to),
    headline: headline({ messaging: messaging.totals, voice, lookups }, before),
    messaging: messaging.pools.length === 0 ? { totals: emptyMessagingFigures(), pools: [] } : messaging,
    voice,
    lookups,
    hourly,
  };
}
