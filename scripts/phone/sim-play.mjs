// "Play the other side": sms, mms, stop, start, send and lookup against the simulator, as a person
// texting an account number or as Telnyx's API; each watches the webhooks that follow.
import { c, CLI, clock, printKeyValues, say, section, UsageError } from './output.mjs';
import { EXAMPLE_NUMBER, JSON_OPTION, needNumber, WATCH_OPTIONS } from './args.mjs';
import { call, latestSeq, sleep } from './sim-client.mjs';
import { followDeliveries } from './deliveries.mjs';

/** A message someone sends to an account number: stored by the sim, then a message.received webhook. */
async function textIn(ctx, { from, to, text, media = [] }) {
  const state = await call(ctx, 'GET', '/sim/state');
  const since = ctx.values['no-watch'] ? 0 : await latestSeq(ctx, '/sim/deliveries');
  const body = { from, to, ...(text && { text }), ...(media.length > 0 && { media_urls: media }) };
  const {
    message,
    event_id: eventId,
    opted_out: optedOut,
  } = await call(ctx, 'POST', '/sim/messages/inbound', { body });
  const profile = state.profiles.find((p) => p.id === message.messaging_profile_id);
  const wasOptedOut = state.opt_outs.some((o) => o.recipient === from && o.profile_id === profile?.id);
  const urls = [message.webhook_url, message.webhook_failover_url].filter(Boolean);
  say(
    `${c.bold(from)} texted ${c.bold(to)}: ${text ? JSON.stringify(text) : ''}${media.length ? ` + ${media.length} media` : ''}`,
    `  message  ${message.id}  (${message.type}, ${message.parts} part${message.parts === 1 ? '' : 's'}, ${message.encoding})`,
    `  profile  ${profile ? `${profile.name} (${profile.id})` : 'none: the number is on no messaging profile'}`,
    ...message.media.map((m) => `  media    ${m.url}  (${m.content_type}, ${Math.round(m.size / 1024)} KB)`),
    `  event    ${eventId}  message.received → ${urls.join(', then ') || '(no URL)'}`,
  );
  if (optedOut) {
    say(c.yellow(`  ${from} is now opted out of ${profile.name}: sends to it are refused (40300) until START.`));
  } else if (/^\s*stop\s*$/i.test(text ?? '') && profile && !state.settings.stop_blocks) {
    say(c.dim('  stop_blocks is off: the simulator records no opt-out and leaves STOP to the bundle.'));
  } else if (/^\s*(start|unstop)\s*$/i.test(text ?? '') && profile && state.settings.stop_blocks) {
    say(wasOptedOut ? c.green(`  ${from}'s opt-out of ${profile.name} is lifted.`) : `  (${from} was not opted out.)`);
  }
  if (ctx.values['no-watch']) return say(c.dim(`Not watching; see the deliveries with: ${CLI} deliveries`));
  const events = await followDeliveries(ctx, {
    since,
    match: (d) => d.event_id === eventId,
    urls,
    complete: (ev) => ev.get(eventId)?.result !== undefined,
    waitMs: ctx.wait,
  });
  // With stop_blocks off (as npm run dev sets it) the bundle answers keywords; otherwise nothing will.
  if (events.get(eventId)?.result === 'delivered' && !state.settings.stop_blocks && KEYWORD.test(text ?? ''))
    await watchReply(ctx, message);
}

/** STOP, START and HELP words (a few phrasings): the bundle answers these with a text of its own. */
const KEYWORD =
  /^\W*(stop|stop ?all|unsubscribe|cancel|end|quit|revoke|opt ?-?out|start|unstop|subscribe|resume|help|info)\W*$/i;

/** After a keyword reaches the bundle: its reply, sent through the simulator to the person. */
async function watchReply(ctx, inbound) {
  const person = inbound.from.phone_number;
  const ours = inbound.to[0]?.phone_number;
  const deadline = Date.now() + 5000;
  say(c.dim(`Waiting up to 5 s for a reply from ${ours} to ${person} (the bundle answers STOP, START and HELP)...`));
  for (;;) {
    const { data } = await call(ctx, 'GET', '/sim/messages', { query: { limit: 20 } });
    const reply = data
      .filter(
        (m) =>
          m.direction === 'outbound' &&
          m.from.phone_number === ours &&
          m.to[0]?.phone_number === person &&
          m.received_at >= inbound.received_at,
      )
      .at(-1);
    if (reply) {
      return say(
        `  ${c.dim(clock(reply.received_at))}  reply ${reply.from.phone_number} → ${person}: ${c.bold(JSON.stringify(reply.text))}`,
        c.dim(`                sent by the bundle through the simulator's API (${reply.id})`),
      );
    }
    if (Date.now() >= deadline) {
      return say(
        c.yellow(`No reply from ${ours} within 5 s.`) +
          ` Is ${ours} in a pool of the bundle? (${CLI} pool list; a second STOP or a START without an opt-out gets none)`,
      );
    }
    await sleep(250);
  }
}

async function sendOut(ctx) {
  const [to, ...words] = ctx.positionals;
  needNumber(to, '<to>');
  const { from, profile: profileArg, media = [] } = ctx.values;
  if (from && profileArg) throw new UsageError('Give --from or --profile, not both.');
  const text = words.join(' ');
  if (!text && media.length === 0) throw new UsageError('Give the text to send (or --media URLs for an MMS).');
  const state = await call(ctx, 'GET', '/sim/state');
  let profileId;
  if (profileArg) {
    const wanted = profileArg.toLowerCase();
    const found =
      state.profiles.find((p) => p.id === profileArg) ??
      state.profiles.find((p) => p.name.toLowerCase().startsWith(wanted));
    if (!found)
      throw new UsageError(
        `No messaging profile '${profileArg}'. Profiles: ${state.profiles.map((p) => `${p.name} (${p.id})`).join(', ')}.`,
      );
    profileId = found.id;
  }
  const body = {
    to,
    ...(profileId ? { messaging_profile_id: profileId } : { from: from ?? EXAMPLE_NUMBER }),
    ...(text && { text }),
    ...(media.length > 0 && { media_urls: media }),
    ...(ctx.values['webhook-url'] && { webhook_url: ctx.values['webhook-url'] }),
  };
  const { data: message } = await call(ctx, 'POST', '/v2/messages', { body, api: true });
  const profile = state.profiles.find((p) => p.id === message.messaging_profile_id);
  const urls = [message.webhook_url, message.webhook_failover_url].filter(Boolean);
  say(
    c.dim('Sent through the simulator’s Telnyx API (POST /v2/messages), not through the bundle.'),
    `  message  ${message.id}  (${message.type}, ${message.parts} part${message.parts === 1 ? '' : 's'}, ${message.encoding}): ${message.to[0].status}`,
    `  from     ${message.from.phone_number}${profileId ? ' (chosen by the number pool)' : ''} → ${to}`,
    `  profile  ${profile?.name ?? '?'} (${message.messaging_profile_id})`,
    `  webhooks ${urls.join(', then ') || '(none)'}`,
  );
  if (message.wait_seconds) say(c.yellow(`  queued by throughput limits: leaves in ${message.wait_seconds} s`));
  if (ctx.values['no-watch'])
    return say(c.dim(`Not watching; see the deliveries with: ${CLI} deliveries --message-id ${message.id}`));
  const events = await followDeliveries(ctx, {
    since: 0,
    query: { message_id: message.id },
    urls,
    complete: (ev) =>
      [...ev.values()].some((e) => e.type === 'message.finalized') && [...ev.values()].every((e) => e.result),
    waitMs: ctx.wait + (message.wait_seconds ?? 0) * 1000,
  });
  const { data: final } = await call(ctx, 'GET', `/v2/messages/${message.id}`, { api: true });
  if (final && events.size > 0) {
    const error = final.errors?.[0];
    const verdict = `Message status at Telnyx: ${final.to[0].status}${error ? ` (${error.code} ${error.title}: ${error.detail})` : ''}`;
    say(final.to[0].status === 'delivered' ? c.green(verdict) : c.yellow(verdict));
  }
}

/** stop and start: an inbound message that is just the keyword. */
const keywordCommand = (word, effect) => ({
  group: 'Play the other side',
  usage: `${word.toLowerCase()} <from> <to>`,
  summary: `<from> texts ${word} to <to>: ${effect}`,
  options: WATCH_OPTIONS,
  run: (ctx) => {
    const [from, to, ...extra] = ctx.positionals;
    if (extra.length > 0) throw new UsageError(`Unexpected '${extra[0]}': ${word.toLowerCase()} takes two numbers.`);
    return textIn(ctx, { from: needNumber(from, '<from>'), to: needNumber(to, '<to>'), text: word });
  },
});

/** The "Play the other side" commands, in the order help lists them. */
export const PLAY_COMMANDS = {
  sms: {
    group: 'Play the other side',
    usage: 'sms <from> <to> <text...>',
    summary: 'someone texts an account number; watch the webhook reach the bundle',
    details: [
      '<from> is the person texting (+E.164); <to> is one of the account numbers (see: state), e.g.',
      `${EXAMPLE_NUMBER} (Marketing) or +15125550100 (Support). Both are required, in that order; the`,
      "rest is the text. Quote it, or put it after -- if it starts with '-'.",
      'Prints the message and its message.received event, then every delivery attempt of that event',
      '(URL, HTTP status, latency, outcome, error or first line of the answer) until it settles.',
    ],
    options: WATCH_OPTIONS,
    run: (ctx) => {
      const [from, to, ...words] = ctx.positionals;
      needNumber(from, '<from>');
      needNumber(to, '<to> (the account number being texted)');
      if (words.length === 0) throw new UsageError(`Give the text after the numbers: ${CLI} sms ${from} ${to} hello`);
      return textIn(ctx, { from, to, text: words.join(' ') });
    },
  },
  mms: {
    group: 'Play the other side',
    usage: 'mms <from> <to> <media-url...> [--text T]',
    summary: 'like sms, with up to 10 media URLs',
    details: ['The media URLs are not fetched; the simulator describes them from their names (.jpg, .png, ...).'],
    options: { text: { type: 'string', arg: 'text', help: 'text to go with the media' }, ...WATCH_OPTIONS },
    run: (ctx) => {
      const [from, to, ...media] = ctx.positionals;
      needNumber(from, '<from>');
      needNumber(to, '<to> (the account number being texted)');
      if (media.length === 0) throw new UsageError('Give at least one media URL after the numbers.');
      const notUrl = media.find((u) => !/^https?:\/\//.test(u));
      if (notUrl) throw new UsageError(`'${notUrl}' is not an http(s) URL; put words in --text "...".`);
      return textIn(ctx, { from, to, text: ctx.values.text, media });
    },
  },
  stop: keywordCommand('STOP', 'opts out of that number’s profile'),
  start: keywordCommand('START', 'lifts the opt-out'),
  send: {
    group: 'Play the other side',
    usage: 'send <to> <text...> [--from N] [--profile P] [--media URL]...',
    summary: 'send through the simulator’s Telnyx API; watch message.sent/finalized',
    details: [
      'This calls the SIMULATOR directly (POST /v2/messages with the development API key), not the',
      `bundle: to send through the bundle, use ${CLI} pool send. The destination picks the outcome by its last two`,
      'digits (sim/messaging/outcomes.ts): ...90 not routable, ...91 spam, ...96 unconfirmed,',
      '...97 sending failed, ...99 Telnyx spam filter; anything else is delivered.',
      `Give --from or --profile, not both; with neither it sends from ${EXAMPLE_NUMBER}.`,
    ],
    options: {
      from: { type: 'string', arg: 'number', help: `send from this account number (default ${EXAMPLE_NUMBER})` },
      profile: {
        type: 'string',
        arg: 'id|name',
        help: 'let this profile’s number pool choose (id, or start of the name)',
      },
      media: { type: 'string', multiple: true, arg: 'url', help: 'a media URL (makes it an MMS); repeat for more' },
      'webhook-url': { type: 'string', arg: 'url', help: 'send this message’s webhooks here instead' },
      ...WATCH_OPTIONS,
    },
    run: sendOut,
  },
  lookup: {
    group: 'Play the other side',
    usage: 'lookup <number> [--type carrier|caller-name ...]',
    summary: 'number lookup through the simulator’s Telnyx API',
    details: [
      'The answers are made up from the digits (sim/lookup/RANGES.md): +13125551234 is mobile, +13125558500 ported.',
    ],
    options: {
      type: {
        type: 'string',
        multiple: true,
        arg: 'type',
        help: 'carrier (default), caller-name; repeat or comma-separate',
      },
      ...JSON_OPTION,
    },
    run: async (ctx) => {
      const number = needNumber(ctx.positionals[0], '<number>');
      const type = (ctx.values.type ?? []).flatMap((t) => t.split(',')).filter(Boolean);
      const path = `/v2/number_lookup/${encodeURIComponent(number)}`;
      const { data } = await call(ctx, 'GET', path, { query: { type }, api: true });
      if (ctx.values.json) return say(JSON.stringify(data, null, 2));
      say(`${c.bold(data.phone_number)}  ${data.national_format}  ${data.country_code}`);
      for (const [key, title] of [
        ['carrier', 'Carrier'],
        ['portability', 'Portability'],
        ['caller_name', 'Caller name'],
      ]) {
        if (data[key] === undefined) continue;
        section(title);
        printKeyValues(data[key]);
      }
    },
  },
};
