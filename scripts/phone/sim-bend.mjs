// "Bend the simulator": faults, settings, flush, reset and its clock, the commands that change how the
// simulator behaves.
import { c, CLI, keyValues, printKeyValues, say, table, UsageError } from './output.mjs';
import { duration, JSON_OPTION, settingValue, wholeNumber } from './args.mjs';
import { call } from './sim-client.mjs';
import { DEV_SIM_SETTINGS } from '../dev-settings.mjs';

export function printFaults(faults) {
  const what = (f) => {
    const p = JSON.parse(f.params || '{}');
    return {
      429: `429 Too many requests (x-ratelimit-reset ${p.reset_seconds ?? 1} s)`,
      500: '500, without doing the work',
      '500_after': 'does the work, then answers 500',
      slow: `answers after ${p.delay_ms ?? 3000} ms`,
      drop: 'not delivered (the message state still changes)',
      duplicate: 'delivered twice, same event id',
      delay: `delivered ${p.delay_ms ?? 0} ms late`,
      reorder: 'held, then all released newest first',
    }[f.kind];
  };
  table(faults, [
    ['ID', (f) => f.id],
    ['TARGET', (f) => f.target],
    ['KIND', (f) => f.kind],
    ['LEFT', (f) => f.remaining],
    ['PATH', (f) => f.path_prefix ?? (f.target === 'api' ? 'any /v2 path' : '')],
    ['EFFECT', what],
  ]);
}

/** The "Bend the simulator" commands, in the order help lists them. */
export const BEND_COMMANDS = {
  fault: {
    group: 'Bend the simulator',
    usage: 'fault api|webhooks <kind> [--count N] [--path P] [--delay-ms N] [--reset-seconds S]',
    summary: 'make the next N API calls or webhook events misbehave',
    details: [
      'api 429              answer 429 Too many requests (x-ratelimit-reset: --reset-seconds)',
      'api 500              answer 500 without doing anything',
      'api 500_after        do the work (a message is sent), then answer 500',
      'api slow             answer after --delay-ms',
      'webhooks drop        do not deliver the event (its state change still happens)',
      'webhooks duplicate   deliver the event twice, same event id',
      'webhooks delay       deliver the event --delay-ms late',
      'webhooks reorder     hold the next N events, then release them newest first',
      `Each API call or new webhook event uses up one; list them with: ${CLI} faults`,
    ],
    options: {
      count: { type: 'string', arg: 'N', help: 'how many calls or events (default 1)' },
      path: { type: 'string', arg: '/v2/...', help: 'api only: only calls whose path starts with this' },
      'delay-ms': { type: 'string', arg: 'ms', help: 'api slow (default 3000) and webhooks delay' },
      'reset-seconds': { type: 'string', arg: 's', help: 'api 429: the x-ratelimit-reset it announces (default 1)' },
    },
    run: async (ctx) => {
      const [target, kind, ...extra] = ctx.positionals;
      const kinds = { api: ['429', '500', '500_after', 'slow'], webhooks: ['drop', 'duplicate', 'delay', 'reorder'] }[
        target
      ];
      if (!kinds)
        throw new UsageError(`fault takes 'api' or 'webhooks' first; got ${target ? `'${target}'` : 'nothing'}.`);
      if (!kinds.includes(kind))
        throw new UsageError(
          `fault ${target} takes one of ${kinds.join(', ')}; got ${kind ? `'${kind}'` : 'nothing'}.`,
        );
      if (extra.length > 0) throw new UsageError(`Unexpected '${extra[0]}' after fault ${target} ${kind}.`);
      const v = ctx.values;
      if (v.path !== undefined && target !== 'api') throw new UsageError('--path applies to api faults only.');
      if (v['reset-seconds'] !== undefined && kind !== '429')
        throw new UsageError('--reset-seconds applies to api 429 only.');
      if (v['delay-ms'] !== undefined && !['slow', 'delay'].includes(kind))
        throw new UsageError('--delay-ms applies to api slow and webhooks delay only.');
      const body = {
        target,
        kind,
        count: wholeNumber(v.count, '--count', 1) ?? 1,
        path: v.path,
        delay_ms: wholeNumber(v['delay-ms'], '--delay-ms'),
        reset_seconds: wholeNumber(v['reset-seconds'], '--reset-seconds'),
      };
      const { data } = await call(ctx, 'POST', '/sim/faults', { body });
      say(`Fault added. Pending faults:`);
      printFaults(data);
    },
  },
  faults: {
    group: 'Bend the simulator',
    usage: 'faults [clear]',
    summary: 'list pending faults, or clear them all',
    options: JSON_OPTION,
    run: async (ctx) => {
      const [action, ...extra] = ctx.positionals;
      if ((action !== undefined && action !== 'clear') || extra.length > 0)
        throw new UsageError(`faults takes nothing or 'clear'; got '${ctx.positionals.join(' ')}'.`);
      const { data } = await call(ctx, action ? 'DELETE' : 'GET', '/sim/faults');
      if (ctx.values.json) return say(JSON.stringify(data, null, 2));
      if (action) say('All faults cleared; webhook events held by a reorder fault are released.');
      else printFaults(data);
    },
  },
  settings: {
    group: 'Bend the simulator',
    usage: 'settings [set key=value ...]',
    summary: 'show the settings, or change some (latency_ms.sent=0)',
    details: [
      'Values: true, false, null and numbers are read as such; anything else is a string.',
      `Example: ${CLI} settings set latency_ms.sent=0 latency_ms.finalized=0 stop_blocks=false`,
    ],
    options: JSON_OPTION,
    run: async (ctx) => {
      const [action, ...pairs] = ctx.positionals;
      if (action === undefined) {
        const { data } = await call(ctx, 'GET', '/sim/settings');
        return ctx.values.json ? say(JSON.stringify(data, null, 2)) : printKeyValues(data);
      }
      if (action !== 'set') throw new UsageError(`settings takes nothing or 'set key=value ...'; got '${action}'.`);
      if (pairs.length === 0)
        throw new UsageError(`Give at least one key=value, e.g. ${CLI} settings set retry_delay_ms=100`);
      const patch = {};
      for (const pair of pairs) {
        const match = /^([A-Za-z_][\w.]*)=(.*)$/.exec(pair);
        if (!match) throw new UsageError(`'${pair}' is not key=value.`);
        const keys = match[1].split('.');
        let target = patch;
        for (const key of keys.slice(0, -1)) target = target[key] ??= {};
        target[keys.at(-1)] = settingValue(match[2]);
      }
      const before = Object.fromEntries(keyValues((await call(ctx, 'GET', '/sim/settings')).data));
      const { data } = await call(ctx, 'PATCH', '/sim/settings', { body: patch });
      if (ctx.values.json) return say(JSON.stringify(data, null, 2));
      for (const [key, value] of keyValues(data))
        if (before[key] !== value) say(`  ${key}: ${before[key]} → ${c.bold(value)}`);
      if (keyValues(data).every(([k, v]) => before[k] === v)) say('  (nothing changed)');
    },
  },
  flush: {
    group: 'Bend the simulator',
    usage: 'flush',
    summary: 'deliver every pending webhook event now',
    run: async (ctx) => {
      const { attempts } = await call(ctx, 'POST', '/sim/flush');
      say(`Flushed: ${attempts} delivery attempt${attempts === 1 ? '' : 's'} made. See them with: ${CLI} deliveries`);
    },
  },
  reset: {
    group: 'Bend the simulator',
    usage: 'reset',
    summary: 'back to the seeded account; everything else cleared',
    details: ['Then puts back what npm run dev sets (stop_blocks=false: STOP, START and HELP are left to the bundle).'],
    run: async (ctx) => {
      await call(ctx, 'POST', '/sim/reset');
      await call(ctx, 'PATCH', '/sim/settings', { body: DEV_SIM_SETTINGS });
      const s = await call(ctx, 'GET', '/sim/state');
      say(
        `Simulator reset: ${s.numbers.length} numbers, ${s.profiles.length} messaging profiles, default settings`,
        `but ${Object.entries(DEV_SIM_SETTINGS)
          .map(([key, value]) => `${key}=${value}`)
          .join(', ')}, as npm run dev sets it.`,
      );
    },
  },
  clock: {
    group: 'Bend the simulator',
    usage: 'clock [<advance>]',
    summary: 'move the simulator clock forward: 8d, 2h, 30m, 1500ms',
    details: ['Useful to let sticky senders expire or a throughput queue drain. It never goes back, except on reset.'],
    run: async (ctx) => {
      if (ctx.positionals.length > 1) throw new UsageError('clock takes one duration, e.g. 2h or 1h30m.');
      if (ctx.positionals.length === 0) return say(`Simulator clock: ${(await call(ctx, 'GET', '/sim/state')).clock}`);
      const { clock: now } = await call(ctx, 'POST', '/sim/clock', {
        body: { advance_ms: duration(ctx.positionals[0]) },
      });
      say(`Simulator clock is now ${now}.`);
    },
  },
};
