// The call flow validator (workers/voice/flows/validate.ts), a pure function: the README's example
// (docs/example-flow.json) and the defaults it fills in; every field of the document and of every
// node kind, each bad value a 422 error with a pointer to it and no other error; ranges at both
// edges; prompts; numbers and SIP URIs; business hours (zones, intervals, overlaps, holidays); keys
// written twice in the JSON text; the graph (missing nodes, unreachable nodes, loops with no exit,
// each fault reported once); all problems at once and the cap on them. Then property tests: random
// valid flows pass and normalize to a fixed point; a random single mutation that breaks one rule is
// caught with that rule's pointer; and on random graphs the unreachable and no-exit reports match a
// brute-force oracle.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import example from '../../docs/example-flow.json';
import { ApiError } from '../../shared/errors';
import type { Flow } from '../../workers/voice/flows/types';
import {
  FLOW_LIMITS,
  FLOW_RANGES,
  NODE_KINDS,
  duplicateKeys,
  invalidFlow,
  pointer,
  validateFlow,
  type ValidateOptions,
} from '../../workers/voice/flows/validate';
import { BAD_NUMBERS, GOOD_NUMBERS, type Doc } from './flow-support';

const AT = '2026-11-23T18:00:00.000Z';
const STAMP: ValidateOptions = { id: 'generated', created_at: AT, updated_at: AT };

function check(doc: unknown, options: Partial<ValidateOptions> = {}) {
  return validateFlow(doc, { ...STAMP, ...options });
}

function flowOf(doc: unknown, options: Partial<ValidateOptions> = {}): Flow {
  const result = check(doc, options);
  if (!result.ok) throw new Error(`expected a valid flow: ${JSON.stringify(result.errors, null, 2)}`);
  return result.flow;
}

function errorsOf(doc: unknown, options: Partial<ValidateOptions> = {}) {
  const result = check(doc, options);
  if (result.ok) throw new Error('expected problems, the flow passed');
  return result.errors;
}

const pointersOf = (doc: unknown, options: Partial<ValidateOptions> = {}) =>
  errorsOf(doc, options).map((e) => e.source?.pointer);

const clone = <T>(value: T): T => structuredClone(value);

/** A flow whose start is `node` (id "x"), its links all to "end", a hangup (no "end" beside a hangup). */
function around(node: Doc, extra: Doc = {}): Doc {
  const nodes = node.kind === 'hangup' ? { x: node } : { x: node, end: { kind: 'hangup' } };
  return { name: 'Test', start: 'x', nodes, ...extra };
}

/** A valid node of each kind, every link to "end", only required fields. */
const MINIMAL: Record<string, Doc> = {
  answer: { kind: 'answer', next: 'end' },
  speak: { kind: 'speak', text: 'Hello', next: 'end' },
  play: { kind: 'play', audio_url: 'https://example.com/a.mp3', next: 'end' },
  menu: {
    kind: 'menu',
    prompt: { speak: 'Press 1' },
    options: { '1': 'end' },
    on_invalid: 'end',
    on_timeout: 'end',
  },
  transfer: { kind: 'transfer', to: '+13125550123', on_no_answer: 'end' },
  voicemail: { kind: 'voicemail', forward_url: 'https://example.com/vm', next: 'end' },
  business_hours: {
    kind: 'business_hours',
    time_zone: 'America/Chicago',
    weekly: { mon: [['09:00', '17:00']] },
    open: 'end',
    closed: 'end',
  },
  ask_business: { kind: 'ask_business', url: 'https://example.com/ask', default: 'end' },
  hangup: { kind: 'hangup' },
};

/** `kind`'s minimal node with `patch` laid over it (undefined deletes a field). */
function node(kind: string, patch: Doc = {}): Doc {
  const n = { ...clone(MINIMAL[kind]!), ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete n[k];
  return n;
}

describe('the example flow of the README', () => {
  it('passes, with the defaults filled in and nothing else changed', () => {
    const flow = flowOf(example);
    expect(flow.id).toBe('main-line');
    expect(flow.nodes.main_menu).toMatchObject({ max_digits: 1, timeout_secs: 6, retries: 2 });
    expect(flow.nodes.voicemail).toMatchObject({ beep: true, max_length_secs: 120 });
    const { created_at, updated_at, ...document } = flow;
    expect([created_at, updated_at]).toEqual([AT, AT]);
    // Only defaults were added: every field of the example is there as it was.
    expect(document).toMatchObject(example);
  });
});

describe('defaults and normalization', () => {
  it('fills in every default of every kind', () => {
    const flow = flowOf({
      name: 'Defaults',
      start: 'a',
      nodes: {
        a: node('ask_business', { default: 'm' }),
        m: node('menu', { options: { '1': 't', '2': 'v' } }),
        t: node('transfer'),
        v: node('voicemail', { next: 'h' }),
        h: node('business_hours', { open: 'end', closed: 'end' }),
        end: { kind: 'hangup' },
      },
    });
    expect(flow).toMatchObject({ id: 'generated', numbers: [], created_at: AT, updated_at: AT });
    expect(flow.nodes.a).toEqual({ ...MINIMAL.ask_business, default: 'm', deadline_ms: 1000, allowed: [] });
    expect(flow.nodes.m).toMatchObject({ timeout_secs: 5, retries: 2, max_digits: 1 });
    expect(flow.nodes.t).toMatchObject({ ring_timeout_secs: 30 });
    expect(flow.nodes.v).toMatchObject({ max_length_secs: 120, beep: true });
    expect(flow.nodes.h).toMatchObject({ holidays: [] });
  });

  it('stores each kind with its fields in a fixed order, kind first, optional ones left out when absent', () => {
    const flow = flowOf(
      around(node('menu', { on_timeout: 'end', options: { '1': 'end' }, prompt: { speak: 'Hi' }, retries: 0 })),
    );
    expect(Object.keys(flow.nodes.x!)).toEqual([
      'kind',
      'prompt',
      'timeout_secs',
      'retries',
      'max_digits',
      'options',
      'on_invalid',
      'on_timeout',
    ]);
    expect(Object.keys(flow)).toEqual(['id', 'name', 'numbers', 'start', 'nodes', 'created_at', 'updated_at']);
  });

  it('keeps values that equal the defaults, and explicit false and 0', () => {
    const flow = flowOf({
      name: 'n',
      start: 'x',
      nodes: {
        x: node('voicemail', { beep: false, next: 'm' }),
        m: node('menu', { retries: 0 }),
        end: { kind: 'hangup' },
      },
    });
    expect(flow.nodes.x).toMatchObject({ beep: false });
    expect(flow.nodes.m).toMatchObject({ retries: 0 });
  });

  it('is a fixed point: a stored flow, sent back as it is, validates to itself', () => {
    const flow = flowOf(example);
    expect(flowOf(flow, { id: 'main-line', idFromPath: true })).toEqual(flow);
  });

  it('takes the document id over a generated one; with idFromPath the path id, and a different document id is refused', () => {
    expect(flowOf({ ...around(node('hangup')), id: 'mine' }).id).toBe('mine');
    expect(flowOf(around(node('hangup')), { id: 'from-path', idFromPath: true }).id).toBe('from-path');
    expect(pointersOf({ ...around(node('hangup')), id: 'other' }, { id: 'from-path', idFromPath: true })).toEqual([
      '/id',
    ]);
  });

  it('ignores created_at and updated_at sent back (the edge sets them)', () => {
    const flow = flowOf({ ...around(node('hangup')), created_at: 'yesterday', updated_at: 7 });
    expect([flow.created_at, flow.updated_at]).toEqual([AT, AT]);
  });
});

describe('the document', () => {
  it('must be an object', () => {
    for (const doc of [null, [], 'flow', 3]) expect(pointersOf(doc)).toEqual(['/']);
  });

  it.each([
    ['id upper case', { id: 'Main' }, '/id'],
    ['id with a dot', { id: 'a.b' }, '/id'],
    ['id empty', { id: '' }, '/id'],
    ['id 65 characters', { id: 'a'.repeat(65) }, '/id'],
    ['id a number', { id: 7 }, '/id'],
    ['name missing', { name: undefined }, '/name'],
    ['name blank', { name: '   ' }, '/name'],
    ['name too long', { name: 'n'.repeat(FLOW_LIMITS.name + 1) }, '/name'],
    ['name not text', { name: ['a'] }, '/name'],
    ['numbers not a list', { numbers: '+13125550123' }, '/numbers'],
    [
      'too many numbers',
      { numbers: Array.from({ length: FLOW_LIMITS.numbers + 1 }, () => '+13125550123') },
      '/numbers',
    ],
    ['start missing', { start: undefined }, '/start'],
    ['start not text', { start: 1 }, '/start'],
    ['start names no node', { start: 'nowhere' }, '/start'],
    ['nodes missing', { nodes: undefined }, '/nodes'],
    ['nodes a list', { nodes: [] }, '/nodes'],
    ['nodes empty', { nodes: {} }, '/nodes'],
    ['an unknown field', { descripton: 'typo' }, '/descripton'],
    ['record_type, which flows do not have', { record_type: 'flow' }, '/record_type'],
  ])('%s: one error at its pointer', (_what, patch, at) => {
    const doc: Doc = { ...around(node('hangup')), ...patch };
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete doc[k];
    expect(pointersOf(doc)).toEqual([at]);
  });

  it('accepts the longest id, name and a flow with the most nodes', () => {
    expect(flowOf({ ...around(node('hangup')), id: 'a-_9'.repeat(16), name: 'n'.repeat(FLOW_LIMITS.name) }).id).toBe(
      'a-_9'.repeat(16),
    );
    const nodes: Doc = {};
    for (let i = 0; i < FLOW_LIMITS.nodes - 1; i++) nodes[`n${i}`] = { kind: 'answer', next: `n${i + 1}` };
    nodes[`n${FLOW_LIMITS.nodes - 1}`] = { kind: 'hangup' };
    expect(Object.keys(flowOf({ name: 'long', start: 'n0', nodes }).nodes)).toHaveLength(FLOW_LIMITS.nodes);
    nodes.extra = { kind: 'hangup' };
    expect(pointersOf({ name: 'long', start: 'n0', nodes })).toEqual(['/nodes']);
  });

  it('names the closest field for a typo', () => {
    const [error] = errorsOf({ ...around(node('hangup')), nmae: 'x', name: 'y' });
    expect(error).toMatchObject({ title: 'Unknown field', source: { pointer: '/nmae' } });
    expect(error!.detail).toContain('did you mean "name"?');
    const [far] = errorsOf({ ...around(node('hangup')), zz: 1 });
    expect(far!.detail).not.toContain('did you mean');
    const [long] = errorsOf(around(node('menu', { retires: 1 })));
    expect(long!.detail).toContain('did you mean "retries"?');
  });

  it("numbers: strict +E.164 each, with shared/phone's codes, none twice", () => {
    for (const bad of BAD_NUMBERS) {
      const errors = errorsOf({ ...around(node('hangup')), numbers: ['+13125550123', bad] });
      expect(
        errors.map((e) => e.source?.pointer),
        String(bad),
      ).toEqual(['/numbers/1']);
      expect(['10016', '10002']).toContain(errors[0]!.code);
    }
    const twice = errorsOf({ ...around(node('hangup')), numbers: [...GOOD_NUMBERS, GOOD_NUMBERS[0]] });
    expect(twice).toEqual([
      expect.objectContaining({ title: 'Duplicate value', source: { pointer: `/numbers/${GOOD_NUMBERS.length}` } }),
    ]);
    expect(flowOf({ ...around(node('hangup')), numbers: GOOD_NUMBERS }).numbers).toEqual(GOOD_NUMBERS);
  });

  it('node ids: 1 to 64 of A-Z, a-z, 0-9, - and _; a bad one is escaped in its pointer', () => {
    const doc = { name: 'n', start: 'a/b', nodes: { 'a/b': { kind: 'hangup' } } };
    expect(pointersOf(doc)).toEqual(['/nodes/a~1b']);
    expect(flowOf({ name: 'n', start: 'Main_Menu-2', nodes: { 'Main_Menu-2': { kind: 'hangup' } } }).start).toBe(
      'Main_Menu-2',
    );
  });
});

describe('nodes of every kind', () => {
  it.each(Object.keys(MINIMAL))('a minimal %s node passes', (kind) => {
    expect(flowOf(around(node(kind))).nodes.x!.kind).toBe(kind);
  });

  it('a node must be an object with a known kind', () => {
    expect(pointersOf({ name: 'n', start: 'x', nodes: { x: 'hangup' } })).toEqual(['/nodes/x']);
    expect(pointersOf(around({ next: 'end' }))).toEqual(['/nodes/x/kind']);
    expect(pointersOf(around({ kind: 7, next: 'end' }))).toEqual(['/nodes/x/kind']);
    const [error] = errorsOf(around({ kind: 'spaek', text: 'hi', next: 'end' }));
    expect(error).toMatchObject({ title: 'Unknown node kind', source: { pointer: '/nodes/x/kind' } });
    expect(error!.detail).toContain('did you mean "speak"?');
  });

  it.each(Object.keys(MINIMAL))('a %s node refuses a field its kind does not have', (kind) => {
    const [error, ...rest] = errorsOf(around(node(kind, { timout_secs: 5 })));
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ code: '10015', title: 'Unknown field', source: { pointer: '/nodes/x/timout_secs' } });
  });

  it('a field of another kind is refused too (no silent ignoring)', () => {
    expect(pointersOf(around(node('speak', { audio_url: 'https://example.com/a.mp3' })))).toEqual([
      '/nodes/x/audio_url',
    ]);
    expect(pointersOf(around(node('hangup', { next: 'end' })))).toEqual(['/nodes/x/next']);
  });

  // [kind, what, patch, pointer under /nodes/x]
  const cases: Array<[string, string, Doc, string]> = [
    ['answer', 'next missing', { next: undefined }, '/next'],
    ['answer', 'next not text', { next: 3 }, '/next'],
    ['speak', 'text missing', { text: undefined }, '/text'],
    ['speak', 'text empty', { text: '' }, '/text'],
    ['speak', 'text too long', { text: 'a'.repeat(FLOW_LIMITS.speak + 1) }, '/text'],
    ['speak', 'voice unknown shape', { voice: 'Joanna!' }, '/voice'],
    ['speak', 'voice not text', { voice: 1 }, '/voice'],
    ['speak', 'language not a tag', { language: 'English' }, '/language'],
    ['speak', 'language underscore', { language: 'en_US' }, '/language'],
    ['play', 'audio_url missing', { audio_url: undefined }, '/audio_url'],
    ['play', 'audio_url http', { audio_url: 'http://example.com/a.mp3' }, '/audio_url'],
    ['play', 'audio_url not a URL', { audio_url: 'a.mp3' }, '/audio_url'],
    ['play', 'audio_url with a password', { audio_url: 'https://u:p@example.com/a.mp3' }, '/audio_url'],
    ['play', 'audio_url too long', { audio_url: `https://example.com/${'a'.repeat(FLOW_LIMITS.url)}` }, '/audio_url'],
    ['menu', 'prompt missing', { prompt: undefined }, '/prompt'],
    ['menu', 'prompt text', { prompt: 'Press 1' }, '/prompt'],
    ['menu', 'prompt with speak and audio', { prompt: { speak: 'a', audio_url: 'https://e.com/a.mp3' } }, '/prompt'],
    ['menu', 'prompt with neither', { prompt: {} }, '/prompt'],
    ['menu', 'prompt speak empty', { prompt: { speak: '' } }, '/prompt/speak'],
    ['menu', 'prompt speak too long', { prompt: { speak: 'a'.repeat(FLOW_LIMITS.speak + 1) } }, '/prompt/speak'],
    ['menu', 'prompt audio http', { prompt: { audio_url: 'http://e.com/a.mp3' } }, '/prompt/audio_url'],
    [
      'menu',
      'voice on an audio prompt',
      { prompt: { audio_url: 'https://e.com/a.mp3', voice: 'male' } },
      '/prompt/voice',
    ],
    ['menu', 'prompt voice bad', { prompt: { speak: 'a', voice: 'a b' } }, '/prompt/voice'],
    ['menu', 'prompt language bad', { prompt: { speak: 'a', language: 'EN' } }, '/prompt/language'],
    ['menu', 'prompt unknown field', { prompt: { speak: 'a', volume: 3 } }, '/prompt/volume'],
    [
      'menu',
      'invalid_prompt bad',
      { invalid_prompt: { speak: 'a', audio_url: 'https://e.com/a.mp3' } },
      '/invalid_prompt',
    ],
    ['menu', 'options missing', { options: undefined }, '/options'],
    ['menu', 'options a list', { options: ['end'] }, '/options'],
    ['menu', 'options empty', { options: {} }, '/options'],
    ['menu', 'option key a letter', { options: { '1': 'end', a: 'end' } }, '/options/a'],
    ['menu', 'option key empty', { options: { '': 'end' } }, '/options/'],
    ['menu', 'option key longer than max_digits', { options: { '12': 'end' } }, '/options/12'],
    ['menu', 'option key with # when several digits', { max_digits: 3, options: { '1#': 'end' } }, '/options/1#'],
    ['menu', 'option target not text', { options: { '1': 2 } }, '/options/1'],
    ['menu', 'option target missing', { options: { '1': 'end', '3': 'nowhere' } }, '/options/3'],
    ['menu', 'on_invalid missing', { on_invalid: undefined }, '/on_invalid'],
    ['menu', 'on_timeout to no node', { on_timeout: 'ned' }, '/on_timeout'],
    ['transfer', 'to missing', { to: undefined }, '/to'],
    ['transfer', 'to national digits', { to: '3125550123' }, '/to'],
    ['transfer', 'to with spaces', { to: '+1 312 555 0123' }, '/to'],
    ['transfer', 'to tel: URI', { to: 'tel:+13125550123' }, '/to'],
    ['transfer', 'to sips:', { to: 'sips:alice@example.com' }, '/to'],
    ['transfer', 'to sip: without a user', { to: 'sip:example.com' }, '/to'],
    ['transfer', 'to sip: with a bad host', { to: 'sip:alice@-example.com' }, '/to'],
    ['transfer', 'to sip: port 70000', { to: 'sip:alice@example.com:70000' }, '/to'],
    ['transfer', 'to sip: with a space', { to: 'sip:alice @example.com' }, '/to'],
    ['transfer', 'to sip: too long', { to: `sip:${'a'.repeat(FLOW_LIMITS.sipUri)}@example.com` }, '/to'],
    ['transfer', 'to a number', { to: 13125550123 }, '/to'],
    ['transfer', 'from national', { from: '3125550123' }, '/from'],
    ['transfer', 'from null', { from: null }, '/from'],
    ['transfer', 'on_no_answer missing', { on_no_answer: undefined }, '/on_no_answer'],
    ['voicemail', 'forward_url missing', { forward_url: undefined }, '/forward_url'],
    ['voicemail', 'forward_url http', { forward_url: 'http://example.com/vm' }, '/forward_url'],
    ['voicemail', 'beep a string', { beep: 'yes' }, '/beep'],
    ['voicemail', 'prompt bad', { prompt: { audio_url: 'ftp://e.com/a.mp3' } }, '/prompt/audio_url'],
    ['voicemail', 'next missing', { next: undefined }, '/next'],
    ['business_hours', 'time_zone missing', { time_zone: undefined }, '/time_zone'],
    ['business_hours', 'time_zone unknown', { time_zone: 'Mars/Olympus_Mons' }, '/time_zone'],
    ['business_hours', 'time_zone an offset', { time_zone: '+05:00' }, '/time_zone'],
    ['business_hours', 'time_zone with a space', { time_zone: 'America/New York' }, '/time_zone'],
    ['business_hours', 'weekly missing', { weekly: undefined }, '/weekly'],
    ['business_hours', 'weekly a list', { weekly: [] }, '/weekly'],
    ['business_hours', 'weekday spelled out', { weekly: { monday: [['09:00', '17:00']] } }, '/weekly/monday'],
    ['business_hours', 'day not a list', { weekly: { mon: '09:00-17:00' } }, '/weekly/mon'],
    ['business_hours', 'interval not a pair', { weekly: { mon: [['09:00']] } }, '/weekly/mon/0'],
    ['business_hours', 'interval of three', { weekly: { mon: [['09:00', '12:00', '17:00']] } }, '/weekly/mon/0'],
    ['business_hours', 'time without a leading 0', { weekly: { tue: [['9:00', '17:00']] } }, '/weekly/tue/0/0'],
    ['business_hours', 'time 24:00', { weekly: { tue: [['09:00', '24:00']] } }, '/weekly/tue/0/1'],
    ['business_hours', 'time 12:60', { weekly: { tue: [['12:60', '13:00']] } }, '/weekly/tue/0/0'],
    ['business_hours', 'end before start', { weekly: { wed: [['17:00', '09:00']] } }, '/weekly/wed/0/1'],
    ['business_hours', 'end equal to start', { weekly: { wed: [['09:00', '09:00']] } }, '/weekly/wed/0/1'],
    [
      'business_hours',
      'intervals that overlap',
      {
        weekly: {
          thu: [
            ['13:00', '17:00'],
            ['09:00', '13:30'],
          ],
        },
      },
      '/weekly/thu/1',
    ],
    [
      'business_hours',
      'too many intervals',
      {
        weekly: {
          fri: Array.from({ length: FLOW_LIMITS.intervalsPerDay + 1 }, (_, i) => [`0${i % 10}:00`, `0${i % 10}:30`]),
        },
      },
      '/weekly/fri',
    ],
    ['business_hours', 'holidays not a list', { holidays: '2026-12-25' }, '/holidays'],
    ['business_hours', 'holiday 30 February', { holidays: ['2026-02-30'] }, '/holidays/0'],
    ['business_hours', 'holiday month 13', { holidays: ['2026-12-25', '2026-13-01'] }, '/holidays/1'],
    ['business_hours', 'holiday two-digit year', { holidays: ['26-12-25'] }, '/holidays/0'],
    ['business_hours', 'holiday in 1999', { holidays: ['1999-12-25'] }, '/holidays/0'],
    ['business_hours', 'holiday twice', { holidays: ['2026-12-25', '2026-12-25'] }, '/holidays/1'],
    ['business_hours', 'holiday not text', { holidays: [20261225] }, '/holidays/0'],
    [
      'business_hours',
      'too many holidays',
      { holidays: Array.from({ length: FLOW_LIMITS.holidays + 1 }, () => '2026-12-25') },
      '/holidays',
    ],
    ['business_hours', 'closed missing', { closed: undefined }, '/closed'],
    ['ask_business', 'url missing', { url: undefined }, '/url'],
    ['ask_business', 'url http', { url: 'http://example.com/ask' }, '/url'],
    ['ask_business', 'allowed not a list', { allowed: 'end' }, '/allowed'],
    ['ask_business', 'allowed names no node', { allowed: ['end', 'gone'] }, '/allowed/1'],
    ['ask_business', 'allowed twice', { allowed: ['end', 'end'] }, '/allowed/1'],
    ['ask_business', 'allowed entry not text', { allowed: [1] }, '/allowed/0'],
    ['ask_business', 'default missing', { default: undefined }, '/default'],
  ];
  it.each(cases)('%s: %s', (kind, _what, patch, at) => {
    expect(pointersOf(around(node(kind, patch)))).toEqual([`/nodes/x${at}`]);
  });

  it('accepts what the rules allow at their edges', () => {
    const good: Array<[string, Doc]> = [
      ['speak', { text: 'a'.repeat(FLOW_LIMITS.speak), voice: 'female', language: 'en-US' }],
      ['speak', { voice: 'AWS.Polly.Joanna-Neural', language: 'cmn-CN' }],
      ['speak', { voice: 'Azure.en-CA-ClaraNeural', language: 'es-419' }],
      ['speak', { voice: 'ElevenLabs.eleven_multilingual_v2.Rachel', language: 'arb' }],
      [
        'menu',
        { prompt: { audio_url: 'https://example.com/menu.wav' }, invalid_prompt: { speak: 'No', voice: 'male' } },
      ],
      ['menu', { options: { '#': 'end', '*': 'end', '0': 'end' } }],
      ['menu', { max_digits: 4, options: { '1234': 'end', '*9': 'end', '1': 'end' } }],
      ['transfer', { to: 'sip:alice@example.com' }],
      ['transfer', { to: 'sip:+13125550123@sip.telnyx.com:5060;transport=tls' }],
      ['transfer', { to: 'sip:support@10.0.0.1', from: '+442079460000' }],
      ['voicemail', { prompt: { audio_url: 'https://example.com/beep.mp3' }, beep: false }],
      ['business_hours', { time_zone: 'UTC', weekly: {}, holidays: [] }],
      ['business_hours', { time_zone: 'Europe/London', weekly: { sun: [['00:00', '23:59']] } }],
      ['business_hours', { time_zone: 'America/Argentina/Buenos_Aires' }],
      [
        'business_hours',
        {
          time_zone: 'Etc/GMT+5',
          weekly: {
            sat: [
              ['09:00', '12:00'],
              ['12:00', '13:00'],
            ],
          },
        },
      ],
      ['business_hours', { holidays: ['2000-01-01', '2028-02-29', '2100-12-31'] }],
      ['ask_business', { allowed: ['end', 'x'] }],
    ];
    for (const [kind, patch] of good) expect(check(around(node(kind, patch))).ok, JSON.stringify(patch)).toBe(true);
  });

  // Every number a node carries, at both edges, and the kinds of wrong value.
  const ranges = Object.entries(FLOW_RANGES).flatMap(([kind, fields]) =>
    Object.entries(fields).map(([field, range]) => [kind, field, range] as const),
  );
  it.each(ranges)('%s.%s: whole numbers from min to max only', (kind, field, range) => {
    const patchFor = (value: unknown): Doc => ({ [field]: value });
    for (const value of [range.min, range.max, range.default]) {
      expect(flowOf(around(node(kind, patchFor(value)))).nodes.x).toMatchObject({ [field]: value });
    }
    for (const value of [range.min - 1, range.max + 1, range.min + 0.5, String(range.default), null, true]) {
      const errors = errorsOf(around(node(kind, patchFor(value))));
      expect(
        errors.map((e) => e.source?.pointer),
        String(value),
      ).toEqual([`/nodes/x/${field}`]);
      expect(errors[0]!.detail).toContain(`from ${range.min} to ${range.max}`);
    }
  });
});

describe('keys written twice', () => {
  it('finds them at any depth, with escapes decoded and strings skipped', () => {
    expect(duplicateKeys('{"a":1,"a":2}')).toEqual(['/a']);
    expect(duplicateKeys('{"a":{"b":[{"c":1},{"c":1,"c":2}]}}')).toEqual(['/a/b/1/c']);
    expect(duplicateKeys('{"1":"x","\\u0031":"y"}')).toEqual(['/1']);
    expect(duplicateKeys('{"a":"{\\"a\\":1,\\"a\\":2}","b":["a","a"]}')).toEqual([]);
    expect(duplicateKeys('{"a/b":1,"a/b":2}')).toEqual(['/a~1b']);
    expect(duplicateKeys('[1, {"x": null}, {"x": true}]')).toEqual([]);
    // Text that is not JSON ends without hanging.
    expect(duplicateKeys('{"a":"unterminated')).toEqual([]);
  });

  it('a menu option written twice in the JSON text is refused where it is', () => {
    const text =
      '{"name":"n","start":"m","nodes":{"m":{"kind":"menu","prompt":{"speak":"p"},' +
      '"options":{"1":"end","1":"end"},"on_invalid":"end","on_timeout":"end"},"end":{"kind":"hangup"}}}';
    const errors = errorsOf(JSON.parse(text), { text });
    expect(errors).toEqual([
      expect.objectContaining({ title: 'Duplicate key', source: { pointer: '/nodes/m/options/1' } }),
    ]);
  });
});

describe('the graph', () => {
  const flow = (start: string, nodes: Doc): Doc => ({ name: 'g', start, nodes });
  const hangup = { kind: 'hangup' };
  const speak = (next: string) => ({ kind: 'speak', text: 't', next });

  it('reports a node no call can reach, and not what it links to beyond that', () => {
    const errors = errorsOf(flow('a', { a: speak('end'), lonely: speak('end'), end: hangup }));
    expect(errors).toEqual([
      expect.objectContaining({ title: 'Unreachable node', source: { pointer: '/nodes/lonely' } }),
    ]);
  });

  it('reports a loop with no exit at each of its nodes, and names where it goes', () => {
    const errors = errorsOf(flow('a', { a: speak('b'), b: speak('a') }));
    expect(errors.map((e) => [e.title, e.source?.pointer])).toEqual([
      ['Loop with no exit', '/nodes/a'],
      ['Loop with no exit', '/nodes/b'],
    ]);
    expect(errors[0]!.detail).toContain('"b"');
  });

  it('a menu whose every way leads back to it has no exit; one option to a hangup is enough', () => {
    const loop = node('menu', { options: { '1': 'again', '2': 'm' }, on_invalid: 'm', on_timeout: 'again' });
    expect(pointersOf(flow('m', { m: loop, again: speak('m') }))).toEqual(['/nodes/m', '/nodes/again']);
    const out = { ...loop, options: { '1': 'again', '9': 'bye' } };
    expect(check(flow('m', { m: out, again: speak('m'), bye: hangup })).ok).toBe(true);
  });

  it('a transfer ends the flow even when its fallback loops back; a voicemail does not', () => {
    const t = node('transfer', { on_no_answer: 'vm' });
    const vm = node('voicemail', { next: 't' });
    expect(check(flow('t', { t, vm })).ok).toBe(true);
    const vm2 = node('voicemail', { next: 'vm' });
    expect(pointersOf(flow('vm', { vm: vm2 }))).toEqual(['/nodes/vm']);
  });

  it('a link to a missing node is one error, not also a loop or an unreachable node', () => {
    const errors = errorsOf(flow('a', { a: speak('b'), b: speak('nowhere') }));
    expect(errors).toEqual([expect.objectContaining({ title: 'Missing node', source: { pointer: '/nodes/b/next' } })]);
    expect(errors[0]!.detail).toContain('"nowhere" is not a node');
  });

  it('suggests the node a link probably meant', () => {
    const [error] = errorsOf(flow('a', { a: speak('main_menu'), main_menus: hangup }));
    expect(error!.detail).toContain('did you mean "main_menus"?');
  });

  it('start naming no node is one error at /start, and nothing is called unreachable', () => {
    const errors = errorsOf(flow('strat', { start: speak('end'), end: hangup }));
    expect(errors).toEqual([expect.objectContaining({ title: 'Missing node', source: { pointer: '/start' } })]);
    expect(errors[0]!.detail).toContain('did you mean "start"?');
  });

  it('a typo in a kind does not make the nodes after it unreachable or loops', () => {
    const errors = errorsOf(flow('a', { a: { kind: 'spek', text: 't', next: 'b' }, b: speak('c'), c: hangup }));
    expect(errors.map((e) => e.source?.pointer)).toEqual(['/nodes/a/kind']);
  });

  it('ask_business without allowed may name any node, so none is unreachable through it', () => {
    const ask = node('ask_business', { default: 'end' });
    expect(check(flow('ask', { ask, special: speak('end'), end: hangup })).ok).toBe(true);
    const limited = node('ask_business', { default: 'end', allowed: ['end'] });
    expect(pointersOf(flow('ask', { ask: limited, special: speak('end'), end: hangup }))).toEqual(['/nodes/special']);
    const listed = node('ask_business', { default: 'end', allowed: ['special'] });
    expect(check(flow('ask', { ask: listed, special: speak('end'), end: hangup })).ok).toBe(true);
  });

  it('a flow of one hangup, or one transfer looping to itself, is fine', () => {
    expect(check(flow('h', { h: hangup })).ok).toBe(true);
    expect(check(flow('t', { t: node('transfer', { on_no_answer: 't' }) })).ok).toBe(true);
  });
});

describe('all problems at once', () => {
  it('reports every problem of a document in one answer, fields first, then the graph', () => {
    const doc = {
      id: 'Bad Id',
      name: '',
      numbers: ['+13125550123', '312'],
      start: 'menu',
      nodes: {
        menu: node('menu', { timeout_secs: 0, options: { '1': 'sales', '2': 'vm', x: 'sales' } }),
        sales: node('transfer', { to: 'sip:nobody', ring_timeout_secs: 121, on_no_answer: 'vm' }),
        orphan: { kind: 'hangup' },
        vm: node('voicemail', { forward_url: 'http://x.test/', beep: 1, next: 'vm' }),
        end: { kind: 'hangup' },
      },
    };
    expect(pointersOf(doc)).toEqual([
      '/id',
      '/name',
      '/numbers/1',
      '/nodes/menu/timeout_secs',
      '/nodes/menu/options/x',
      '/nodes/sales/to',
      '/nodes/sales/ring_timeout_secs',
      '/nodes/vm/beep',
      '/nodes/vm/forward_url',
      // then the graph
      '/nodes/orphan',
      '/nodes/vm',
    ]);
  });

  it('a broken link holds back the unreachable nodes (it may have meant them), not the other reports', () => {
    const doc = {
      name: 'n',
      start: 'a',
      nodes: {
        a: node('menu', { options: { '1': 'b', '2': 'loop' }, on_invalid: 'bee', on_timeout: 'b' }),
        b: { kind: 'hangup' },
        loop: node('speak', { next: 'loop' }),
        meant: { kind: 'hangup' },
      },
    };
    expect(errorsOf(doc).map((e) => [e.title, e.source?.pointer])).toEqual([
      ['Missing node', '/nodes/a/on_invalid'],
      ['Loop with no exit', '/nodes/loop'],
    ]);
  });

  it('every error is a Telnyx error object with a pointer; invalidFlow makes them one 422', () => {
    const errors = errorsOf({ name: 1, nodes: { a: { kind: 'x' } }, extra: true });
    for (const e of errors) {
      expect(e).toEqual({
        code: expect.stringMatching(/^\d{5}$/),
        title: expect.any(String),
        detail: expect.any(String),
        source: { pointer: expect.stringMatching(/^\//) },
      });
    }
    const error = invalidFlow(errors);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(422);
    expect(error.errors).toEqual(errors);
  });

  it(`stops listing at ${FLOW_LIMITS.errors} problems and says how many more there are`, () => {
    const doc: Doc = around(node('hangup'));
    for (let i = 0; i < 150; i++) doc[`field${i}`] = i;
    const errors = errorsOf(doc);
    expect(errors).toHaveLength(FLOW_LIMITS.errors + 1);
    expect(errors.at(-1)).toMatchObject({ title: 'Too many problems', source: { pointer: '/' } });
    expect(errors.at(-1)!.detail).toContain('50 more problems');
  });
});

describe('pointer', () => {
  it('escapes ~ and / as RFC 6901 says', () => {
    expect(pointer('nodes', 'a/b', 'c~d', 0)).toBe('/nodes/a~1b/c~0d/0');
    expect(pointer()).toBe('');
  });
});

// --- Properties ------------------------------------------------------------------------------------

const NON_END_KINDS = NODE_KINDS.filter((k) => k !== 'hangup');
/** The link of each kind that the generated flows chain through (so every node reaches the end). */
const PRIMARY: Record<string, string> = {
  answer: 'next',
  speak: 'next',
  play: 'next',
  voicemail: 'next',
  menu: 'on_timeout',
  transfer: 'on_no_answer',
  business_hours: 'open',
  ask_business: 'default',
};
const idArb = fc.stringMatching(/^[a-z][a-z0-9_-]{0,11}$/);
const maybe = <T>(g: fc.GeneratorValue, arb: fc.Arbitrary<T>): T | undefined =>
  g(fc.boolean) ? g(() => arb) : undefined;
const between = (g: fc.GeneratorValue, r: { min: number; max: number }) => g(fc.integer, r);

function promptArb(): fc.Arbitrary<Doc> {
  return fc.oneof(
    fc.record(
      {
        speak: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== ''),
        voice: fc.constantFrom('female', 'male', 'AWS.Polly.Joanna'),
        language: fc.constantFrom('en-US', 'de-DE'),
      },
      { requiredKeys: ['speak'] },
    ),
    fc.webPath().map((path) => ({ audio_url: `https://audio.example.com${path}` })),
  );
}

/** A node of `kind` whose primary link is `next` and other links are drawn from `ids`. */
function genNode(g: fc.GeneratorValue, kind: string, next: string, ids: string[]): Doc {
  const any = () => g(fc.constantFrom, ...ids);
  const n: Doc = { kind };
  switch (kind) {
    case 'answer':
    case 'play':
    case 'speak':
      if (kind === 'speak') n.text = g(fc.string, { minLength: 1, maxLength: 40 }).trim() || 'silence';
      if (kind === 'play') n.audio_url = 'https://audio.example.com/a.mp3';
      n.next = next;
      break;
    case 'menu': {
      const r = FLOW_RANGES.menu;
      const maxDigits = maybe(g, fc.integer(r.max_digits));
      const keyLength = maxDigits ?? 1;
      const keys = g(
        fc.uniqueArray,
        fc.stringMatching(new RegExp(`^[0-9*${keyLength === 1 ? '#' : ''}]{1,${keyLength}}$`)),
        {
          minLength: 1,
          maxLength: 5,
        },
      );
      Object.assign(n, {
        prompt: g(promptArb),
        invalid_prompt: maybe(g, promptArb()),
        timeout_secs: maybe(g, fc.integer(r.timeout_secs)),
        retries: maybe(g, fc.integer(r.retries)),
        max_digits: maxDigits,
        options: Object.fromEntries(keys.map((k) => [k, any()])),
        on_invalid: any(),
        on_timeout: next,
      });
      break;
    }
    case 'transfer':
      Object.assign(n, {
        to: g(fc.constantFrom, ...GOOD_NUMBERS, 'sip:alice@example.com', 'sip:queue-7@pbx.example.net:5061'),
        from: maybe(g, fc.constantFrom(...GOOD_NUMBERS)),
        ring_timeout_secs: maybe(g, fc.integer(FLOW_RANGES.transfer.ring_timeout_secs)),
        on_no_answer: next,
      });
      break;
    case 'voicemail':
      Object.assign(n, {
        prompt: maybe(g, promptArb()),
        max_length_secs: maybe(g, fc.integer(FLOW_RANGES.voicemail.max_length_secs)),
        beep: maybe(g, fc.boolean()),
        forward_url: 'https://biz.example.com/voicemail',
        next,
      });
      break;
    case 'business_hours': {
      const weekly: Doc = {};
      for (const day of g(fc.subarray, ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])) {
        const start = between(g, { min: 0, max: 22 });
        const end = between(g, { min: start + 1, max: 23 });
        const hh = (h: number) => String(h).padStart(2, '0');
        weekly[day] = [[`${hh(start)}:00`, `${hh(end)}:${g(fc.constantFrom, '00', '15', '45')}`]];
      }
      Object.assign(n, {
        time_zone: g(fc.constantFrom, 'America/Chicago', 'Europe/Berlin', 'UTC', 'Asia/Kolkata'),
        weekly,
        holidays: maybe(g, fc.uniqueArray(fc.constantFrom('2026-12-25', '2027-01-01', '2026-07-04'))),
        open: next,
        closed: any(),
      });
      break;
    }
    case 'ask_business':
      Object.assign(n, {
        url: 'https://biz.example.com/route',
        deadline_ms: maybe(g, fc.integer(FLOW_RANGES.ask_business.deadline_ms)),
        allowed: maybe(g, fc.uniqueArray(fc.constantFrom(...ids), { maxLength: 3 })),
        default: next,
      });
      break;
  }
  for (const [k, v] of Object.entries(n)) if (v === undefined) delete n[k];
  return n;
}

interface Generated {
  doc: Doc;
  /** Node ids in chain order; the last is the hangup. */
  ids: string[];
}

/** A valid flow: a chain of 1 to 8 nodes of random kinds ending in a hangup (so always 2 ids or more),
 * with random extra links anywhere. */
function genFlow(g: fc.GeneratorValue): Generated {
  const n = g(fc.integer, { min: 1, max: 8 });
  const ids = g(() => fc.uniqueArray(idArb, { minLength: n + 1, maxLength: n + 1 }));
  const nodes: Doc = {};
  ids.forEach((id, i) => {
    nodes[id] = i === n ? { kind: 'hangup' } : genNode(g, g(fc.constantFrom, ...NON_END_KINDS), ids[i + 1]!, ids);
  });
  const doc: Doc = {
    name: g(fc.constantFrom, 'Main line', 'Support', 'After hours'),
    start: ids[0],
    nodes: g(fc.shuffledSubarray, Object.entries(nodes), { minLength: ids.length }).reduce(
      (all: Doc, [id, node]: [string, Doc]) => ({ ...all, [id]: node }),
      {},
    ),
  };
  const numbers = g(fc.subarray, GOOD_NUMBERS);
  if (numbers.length > 0 || g(fc.boolean)) doc.numbers = numbers;
  if (g(fc.boolean)) doc.id = g(fc.stringMatching, /^[a-z0-9_-]{1,64}$/);
  return { doc, ids };
}

interface Mutation {
  rule: string;
  apply(g: fc.GeneratorValue, flow: Generated): string;
}

/** Picks a node of the chain (not the final hangup) and makes it a valid node of `kind`. */
function chainNode(g: fc.GeneratorValue, flow: Generated, kind: string): [string, Doc] {
  const i = g(fc.nat, { max: flow.ids.length - 2 });
  const id = flow.ids[i]!;
  const fresh = genNode(g, kind, flow.ids[i + 1]!, flow.ids);
  flow.doc.nodes[id] = fresh;
  return [id, fresh];
}

const OUT_OF_RANGE: Array<[string, string, { min: number; max: number }]> = Object.entries(FLOW_RANGES).flatMap(
  ([kind, fields]) => Object.entries(fields).map(([field, r]) => [kind, field, r] as [string, string, typeof r]),
);

const MUTATIONS: Mutation[] = [
  {
    rule: 'unknown node kind',
    apply(g, flow) {
      const id = g(fc.constantFrom, ...flow.ids);
      flow.doc.nodes[id].kind = g(fc.constantFrom, 'teleport', 'Speak', 'gather', '');
      return `/nodes/${id}/kind`;
    },
  },
  {
    rule: 'a link to a missing node',
    apply(g, flow) {
      const [id, n] = chainNode(g, flow, g(fc.constantFrom, ...NON_END_KINDS));
      n[PRIMARY[n.kind as string]!] = 'no such node';
      return `/nodes/${id}/${PRIMARY[n.kind as string]}`;
    },
  },
  {
    rule: 'an unreachable node',
    apply(g, flow) {
      for (const n of Object.values(flow.doc.nodes) as Doc[]) if (n.kind === 'ask_business') n.allowed = [n.default];
      const id = `Orphan-${g(fc.nat, { max: 99 })}`; // generated ids are lower case: no clash
      flow.doc.nodes[id] = { kind: 'hangup' };
      return `/nodes/${id}`;
    },
  },
  {
    rule: 'a loop with no exit',
    apply(_g, flow) {
      const last = flow.ids.at(-1)!;
      flow.doc.nodes[last] = { kind: 'speak', text: 'again', next: last };
      return `/nodes/${last}`;
    },
  },
  {
    rule: 'a bad number',
    apply(g, flow) {
      const numbers = [...((flow.doc.numbers as string[] | undefined) ?? [])];
      numbers.splice(g(fc.nat, { max: numbers.length }), 0, g(fc.constantFrom, ...BAD_NUMBERS) as string);
      flow.doc.numbers = numbers;
      return `/numbers/${numbers.findIndex((n) => !GOOD_NUMBERS.includes(n))}`;
    },
  },
  {
    rule: 'a number twice',
    apply(g, flow) {
      const n = g(fc.constantFrom, ...GOOD_NUMBERS);
      flow.doc.numbers = [n, n];
      return '/numbers/1';
    },
  },
  {
    rule: 'a number out of range',
    apply(g, flow) {
      const [kind, field, r] = g(fc.constantFrom, ...OUT_OF_RANGE);
      const [id, n] = chainNode(g, flow, kind);
      n[field] = g(fc.constantFrom, r.min - 1, r.max + 1, r.max * 10, -1, r.min + 0.25, `${r.min}`);
      if (kind === 'menu' && field === 'max_digits') n.options = { '1': flow.ids.at(-1) };
      return `/nodes/${id}/${field}`;
    },
  },
  {
    rule: 'an unknown field',
    apply(g, flow) {
      const field = g(fc.constantFrom, 'timout_secs', 'nxt', 'Kind', 'description', 'on_busy');
      if (g(fc.boolean)) {
        flow.doc[field] = 1;
        return `/${field}`;
      }
      const id = g(fc.constantFrom, ...flow.ids);
      flow.doc.nodes[id][field] = 1;
      return `/nodes/${id}/${field}`;
    },
  },
  {
    rule: 'start naming no node',
    apply(g, flow) {
      if (g(fc.boolean)) delete flow.doc.start;
      else flow.doc.start = 'nowhere at all';
      return '/start';
    },
  },
  {
    rule: 'a required field missing',
    apply(g, flow) {
      const [kind, field] = g(
        fc.constantFrom,
        ...([
          ['speak', 'text'],
          ['play', 'audio_url'],
          ['menu', 'prompt'],
          ['menu', 'options'],
          ['menu', 'on_invalid'],
          ['transfer', 'to'],
          ['voicemail', 'forward_url'],
          ['business_hours', 'time_zone'],
          ['business_hours', 'weekly'],
          ['business_hours', 'closed'],
          ['ask_business', 'url'],
        ] as const),
      );
      const [id, n] = chainNode(g, flow, kind);
      delete n[field];
      return `/nodes/${id}/${field}`;
    },
  },
  {
    rule: 'a bad value of a node',
    apply(g, flow) {
      const [kind, path, value] = g(
        fc.constantFrom,
        ...([
          ['play', ['audio_url'], 'http://audio.example.com/a.mp3'],
          ['voicemail', ['forward_url'], 'ftp://biz.example.com/vm'],
          ['ask_business', ['url'], 'not a url'],
          ['transfer', ['to'], '3125550123'],
          ['transfer', ['to'], 'sip:nobody'],
          ['transfer', ['from'], '+1 312 555 0123'],
          ['menu', ['options', 'x'], 'x'],
          ['menu', ['prompt'], { speak: 'a', audio_url: 'https://a.example.com/a.mp3' }],
          ['voicemail', ['beep'], 'yes'],
          ['business_hours', ['time_zone'], 'Mars/Base'],
          ['business_hours', ['weekly', 'mon'], [['17:00', '09:00']]],
          ['business_hours', ['weekly', 'someday'], []],
          ['business_hours', ['holidays'], ['2026-02-30']],
          ['speak', ['voice'], 'nobody at all'],
        ] as Array<[string, string[], unknown]>),
      );
      const [id, n] = chainNode(g, flow, kind);
      let target = n;
      for (const key of path.slice(0, -1)) target = target[key] ??= {};
      target[path.at(-1)!] = value === 'x' ? flow.ids.at(-1) : value;
      const deeper: Record<string, string> = { 'weekly/mon': '/0/1', holidays: '/0' };
      return `/nodes/${id}/${path.join('/')}${deeper[path.join('/')] ?? ''}`;
    },
  },
];

describe('properties', () => {
  it('random valid flows pass, and what they normalize to passes again unchanged', () => {
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const { doc } = genFlow(g);
        const result = check(doc);
        if (!result.ok) throw new Error(JSON.stringify({ doc, errors: result.errors }, null, 1));
        expect(Object.keys(result.flow.nodes)).toEqual(Object.keys(doc.nodes));
        expect(check(result.flow, { id: result.flow.id, idFromPath: true })).toEqual(result);
        expect(check(JSON.parse(JSON.stringify(doc)), { text: JSON.stringify(doc) })).toEqual(result);
      }),
      { numRuns: 300 },
    );
  });

  it("a single mutation that breaks a rule is caught, with that rule's pointer", () => {
    const caught = new Map<string, number>();
    fc.assert(
      fc.property(fc.gen(), fc.constantFrom(...MUTATIONS), (g, mutation) => {
        const flow = genFlow(g);
        const at = mutation.apply(g, flow);
        const errors = errorsOf(flow.doc);
        expect(
          errors.map((e) => e.source?.pointer),
          `${mutation.rule}: ${JSON.stringify(flow.doc)}`,
        ).toContain(at);
        for (const e of errors) expect(e.source?.pointer).toMatch(/^\//);
        caught.set(mutation.rule, (caught.get(mutation.rule) ?? 0) + 1);
      }),
      { numRuns: 600 },
    );
    // Every kind of mutation was tried.
    expect([...caught.keys()].sort()).toEqual(MUTATIONS.map((m) => m.rule).sort());
  });

  it('on random graphs, unreachable nodes and loops with no exit are exactly what brute force finds', () => {
    const graphArb = fc.gen().map((g) => {
      const ids = g(() => fc.uniqueArray(idArb, { minLength: 1, maxLength: 7 }));
      const pick = () => g(fc.constantFrom, ...ids);
      const nodes: Doc = {};
      for (const id of ids) {
        const kind = g(fc.constantFrom, 'speak', 'menu', 'transfer', 'hangup', 'ask_business');
        if (kind === 'speak') nodes[id] = { kind, text: 't', next: pick() };
        if (kind === 'hangup') nodes[id] = { kind };
        if (kind === 'transfer') nodes[id] = { kind, to: '+13125550123', on_no_answer: pick() };
        if (kind === 'menu') {
          const options = Object.fromEntries(
            g(fc.uniqueArray, fc.constantFrom('1', '2', '3'), { minLength: 1 }).map((k) => [k, pick()]),
          );
          nodes[id] = { kind, prompt: { speak: 'p' }, options, on_invalid: pick(), on_timeout: pick() };
        }
        if (kind === 'ask_business') {
          const allowed: string[] = g(fc.subarray, ids);
          nodes[id] = { kind, url: 'https://a.example.com/', allowed, default: pick() };
        }
      }
      return { name: 'g', start: pick(), nodes } as Doc;
    });
    fc.assert(
      fc.property(graphArb, (doc) => {
        const ids = Object.keys(doc.nodes);
        // Each node's successors, written out again independently of the validator.
        const next = (id: string): string[] => {
          const n = doc.nodes[id];
          if (n.kind === 'ask_business' && n.allowed.length === 0) return ids;
          return [
            n.next,
            n.on_no_answer,
            n.on_invalid,
            n.on_timeout,
            n.default,
            ...Object.values(n.options ?? {}),
            ...(n.allowed ?? []),
          ].filter((x): x is string => typeof x === 'string');
        };
        // Reachability by repeated relaxation until nothing changes.
        const reach = (from: string): Set<string> => {
          const seen = new Set([from]);
          for (let changed = true; changed;) {
            changed = false;
            for (const id of [...seen]) for (const to of next(id)) if (!seen.has(to) && (changed = true)) seen.add(to);
          }
          return seen;
        };
        const fromStart = reach(doc.start);
        const unreachable = ids.filter((id) => !fromStart.has(id));
        const isEnd = (id: string) => ['hangup', 'transfer'].includes(doc.nodes[id].kind);
        const noExit = ids.filter((id) => fromStart.has(id) && ![...reach(id)].some(isEnd));

        const result = check(doc);
        const found = (title: string) =>
          result.ok ? [] : result.errors.filter((e) => e.title === title).map((e) => e.source?.pointer);
        expect(found('Unreachable node')).toEqual(unreachable.map((id) => `/nodes/${id}`));
        expect(found('Loop with no exit')).toEqual(noExit.map((id) => `/nodes/${id}`));
        expect(result.ok).toBe(unreachable.length === 0 && noExit.length === 0);
      }),
      { numRuns: 500 },
    );
  });
});
