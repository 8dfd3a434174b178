#!/usr/bin/env node
// npm run bench: every benchmark of the project, each printed with its target (the baseline) and
// the ratio of the measured figure to it.
// These machines are shared and noisy; the figures are medians of several rounds for that reason.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBundleSize } from './bundle-size.mjs';
import { benchChoice } from './choice.mjs';
import { benchLookup } from './lookup.mjs';
import { benchMessaging } from './messaging.mjs';
import { benchReports } from './reports.mjs';
import { benchStateKind, removeBenchState } from './state-dir.mjs';
import { benchVerification } from './verify.mjs';
import { benchVoice } from './voice.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
// The RAM disk is memory: what a run put there goes when it ends, however it ends.
process.on('exit', removeBenchState);
process.on('SIGINT', () => process.exit(130));

const rows = [];
/**
 * Prints a figure with its target and the ratio of one to the other. `atLeast` targets are met
 * when the figure is at or above them (ratio figure/target >= 1); the others when below (< 1).
 */
function report(name, value, unit, target, { atLeast = false } = {}) {
  const ratio = target === undefined ? undefined : value / target;
  const met = ratio === undefined || (atLeast ? ratio >= 1 : ratio < 1);
  rows.push({ name, value, unit, target, ratio, met });
  const figure = `${value.toFixed(value < 10 ? 3 : 1)} ${unit}`.padEnd(16);
  const against =
    target === undefined
      ? ''
      : `target ${atLeast ? '>=' : '<'} ${target} ${unit}   ratio ${ratio.toFixed(2)} ${met ? 'ok' : 'MISSED'}`;
  console.log(`  ${name.padEnd(38)} ${figure} ${against}`);
}

console.log('Webhook verification, 1 KB body, inside workerd (median of 5 rounds)');
const verify = await benchVerification({ root });
report('WebCrypto Ed25519, per verify', verify.webcryptoMs, 'ms', 0.15);
report('@noble/ed25519 fallback, per verify', verify.nobleMs, 'ms');
report('fallback / WebCrypto', verify.nobleMs / verify.webcryptoMs, 'x');

console.log('\nDeployable bundle (wrangler deploy --dry-run)');
const bundle = benchBundleSize({ root });
report('raw', bundle.rawBytes / 1024, 'KiB');
report('gzip', bundle.gzipBytes / 1024, 'KiB', 100);

console.log(`\nwrangler dev keeps its local state on: ${benchStateKind()} (BENCH_STATE=disk for the disk)`);
console.log('\nNumber lookup on wrangler dev (bundle + simulator; median of 3 rounds of 4 s, 10 connections)');
const lookup = await benchLookup({ root });
report('trivial route (/health)', lookup.trivialPerSecond, 'req/s');
report('cache-hit lookup', lookup.hitPerSecond, 'req/s');
report('cache hit / trivial route', lookup.hitPerSecond / lookup.trivialPerSecond, 'x', 0.8, { atLeast: true });
const { replay } = lookup;
console.log(
  `  replay: ${replay.lookups} lookups over 2,000 numbers (Zipf) in ${replay.seconds.toFixed(1)} s, ` +
    `${replay.failed} failed; ${replay.distinctPairs} distinct number-type pairs`,
);
report('Telnyx calls made', replay.upstreamCalls, 'calls');
// Target: Telnyx calls no more than the distinct (number, type) pairs asked for.
report('distinct pairs per Telnyx call', replay.distinctPairs / replay.upstreamCalls, 'x', 1, { atLeast: true });
if (replay.failed > 0) {
  console.log(`\n${replay.failed} replayed lookups failed.`);
  process.exitCode = 1;
}

console.log('\nNumber choice in a pool of 10,000 numbers with 100,000 sticky entries, in a Durable Object');
const choice = await benchChoice({ root });
report('per choice (sticky lookup + draw)', choice.msPerChoice * 1000, 'µs', 50);

console.log('\nMessaging on wrangler dev (bundle + simulator; median of 3 rounds of 4 s, 10 connections)');
const messaging = await benchMessaging({ root });
report('trivial route (/health)', messaging.trivialPerSecond, 'req/s');
report('signed message.finalized webhooks', messaging.webhooksPerSecond, 'req/s');
report('webhooks / trivial route', messaging.webhooksPerSecond / messaging.trivialPerSecond, 'x', 0.7, {
  atLeast: true,
});
report('CPU per webhook (bundle process tree)', messaging.cpuMsPerWebhook, 'ms');
report('sends through one pool', messaging.sendsPerSecond, 'req/s');
if (messaging.sendsAtSimulator < messaging.sends) {
  console.log(`  only ${messaging.sendsAtSimulator} of ${messaging.sends} sends reached the simulator`);
  process.exitCode = 1;
}

console.log(
  '\nVoice on wrangler dev (bundle + simulator; 40 calls through a menu, then 4 s of events, 10 connections)',
);
const voice = await benchVoice({ root });
// The issue sets no targets for voice; Telnyx's 2-second webhook budget is the outer bound.
report('event arrival -> command sent, p50', voice.p50Ms, 'ms');
report('event arrival -> command sent, p99', voice.p99Ms, 'ms');
console.log(`  (${voice.samples} commands; slowest ${voice.maxMs} ms)`);
report('events through one call session', voice.eventsPerSecond, 'events/s');
report('webhook answered, p50', voice.answerP50Ms, 'ms');
report('webhook answered, p99', voice.answerP99Ms, 'ms', 2000);

console.log('\nDaily report over 100,000 messages, 20,000 calls and 50,000 lookups in local D1 (median of 3)');
const reports = await benchReports({ root });
// No target was set; the bound that matters is a cron invocation's CPU limit (30 s by default).
report('build, render, store one day', reports.msPerReport, 'ms', 30_000);

if (rows.some((row) => !row.met)) {
  console.log('\nSome figures missed their targets.');
  process.exitCode = 1;
}
