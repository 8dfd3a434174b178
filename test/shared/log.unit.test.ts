// Structured logging (shared/log): RELIABILITY.md row 28. Every line is one JSON object with
// time, level and event; message content (text, body, subject, media, raw bodies) never reaches
// the console and phone numbers keep only their last four digits, wherever they sit: nested
// payloads, arrays, phone-number fields with national digits, Error messages and stacks, event
// names. Numbers that are not phone numbers (counts, Unix timestamps) survive. Lines are captured
// by spying on console.log/warn/error and checked with the row's regex, /\+\d{8,15}/.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi, afterAll, beforeAll } from 'vitest';
import { log, maskDigits, maskText, scrubFields, type LogFields, setLogLevel } from '../../shared/log';
import { sampleEvent } from '../support/webhooks';

const PHONE = /\+\d{8,15}/;

interface Written {
  /** The console method that wrote the line. */
  method: 'log' | 'warn' | 'error';
  line: string;
}

let written: Written[] = [];

beforeEach(() => {
  written = [];
  for (const method of ['log', 'warn', 'error'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      expect(args).toHaveLength(1);
      expect(typeof args[0]).toBe('string');
      written.push({ method, line: args[0] as string });
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Logs one line and returns it as written and as parsed. */
function logged(
  level: keyof typeof log,
  event: string,
  fields?: LogFields,
): { line: string; json: Record<string, unknown> } {
  const before = written.length;
  log[level](event, fields);
  expect(written).toHaveLength(before + 1);
  const { line } = written.at(-1)!;
  return { line, json: JSON.parse(line) as Record<string, unknown> };
}

/** A message.received webhook as Telnyx sends it, with a phone number and a secret in the text. */
function receivedMessage(): Record<string, any> {
  const event = JSON.parse(sampleEvent());
  event.data.payload.text = 'Door code is 4417, call me back on +13125559876 or +447700900123';
  event.data.payload.subject = 'Private subject';
  event.data.payload.cc = [{ carrier: 'Verizon', line_type: 'Wireless', phone_number: '+13125550177' }];
  return event;
}

// Every level is written in these tests; LOG_LEVEL's filtering has its own test below.
beforeAll(() => setLogLevel('debug'));
afterAll(() => setLogLevel(undefined));

describe('LOG_LEVEL', () => {
  it('writes nothing below the level set, and reads unknown values as info', () => {
    setLogLevel('warn');
    const before = written.length;
    log.debug('a');
    log.info('b');
    log.warn('c');
    log.error('d');
    expect(written.slice(before).map((w) => JSON.parse(w.line).event)).toEqual(['c', 'd']);
    setLogLevel('nonsense');
    log.debug('e');
    log.info('f');
    expect(written.slice(before + 2).map((w) => JSON.parse(w.line).event)).toEqual(['f']);
    setLogLevel('debug');
  });
});

describe('line format', () => {
  it('writes one JSON object per line with time, level and event, on the console method of its level', () => {
    const cases = [
      ['debug', 'log'],
      ['info', 'log'],
      ['warn', 'warn'],
      ['error', 'error'],
    ] as const;
    for (const [level, method] of cases) {
      const { line, json } = logged(level, 'something_happened', { count: 42 });
      expect(written.at(-1)!.method).toBe(method);
      expect(line).not.toContain('\n');
      expect(json).toEqual({ time: expect.any(String), level, event: 'something_happened', count: 42 });
      expect(new Date(json.time as string).toISOString()).toBe(json.time);
    }
  });

  it('writes a line without fields', () => {
    expect(logged('info', 'started').json).toEqual({ time: expect.any(String), level: 'info', event: 'started' });
  });

  // A field named like a line's own keys must not let an error line claim to be debug.
  it('keeps time, level and event when a field has the same name', () => {
    const { json } = logged('error', 'webhook_failed', { level: 'debug', event: 'other', time: 'yesterday' });
    expect(json.level).toBe('error');
    expect(json.event).toBe('webhook_failed');
    expect(json.time).not.toBe('yesterday');
  });
});

describe('phone numbers and message content', () => {
  it('masks every number and drops the text of a whole message.received payload', () => {
    const event = receivedMessage();
    const { line, json } = logged('info', 'webhook_received', { webhook: event, attempt: 1 });
    expect(line).not.toMatch(PHONE);
    expect(line).not.toContain('Door code');
    expect(line).not.toContain('4417');
    expect(line).not.toContain('Private subject');
    // The last four digits stay, for correlating with a customer.
    expect(line).toContain('"+*******0001"');
    expect(line).toContain('"+*******0100"');
    expect(line).toContain('"+*******0177"');
    const payload = (json.webhook as any).data.payload;
    expect(payload.text).toBe('[redacted]');
    expect(payload.subject).toBe('[redacted]');
    expect(payload.from).toEqual({ carrier: 'T-Mobile USA', line_type: 'Wireless', phone_number: '+*******0001' });
    expect(payload.to[0]).toMatchObject({ phone_number: '+*******0100', status: 'webhook_delivered' });
    // Everything else is kept as it was.
    expect(payload.id).toBe('84cca175-9755-4859-b67f-4730d7f58aa3');
    expect(payload.received_at).toBe('2026-11-23T18:10:02.382+00:00');
    expect(payload.parts).toBe(1);
    expect(payload.tags).toEqual([]);
    expect(json.attempt).toBe(1);
  });

  it('drops the raw body of a webhook, logged as a string', () => {
    const raw = JSON.stringify(receivedMessage());
    const { line, json } = logged('warn', 'webhook_rejected', { raw_body: raw, reason: 'signature_mismatch' });
    expect(json.raw_body).toBe('[redacted]');
    expect(line).not.toMatch(PHONE);
    expect(line).not.toContain('Door code');
  });

  it('replaces each content field by "[redacted]", whatever its value', () => {
    const fields = {
      text: 'hello +13125550123',
      body: { nested: 'secret' },
      subject: 'subject line',
      media_urls: ['https://media.example.com/a.jpg'],
      raw_body: '{"text":"hi"}',
      transcription: 'voicemail words',
    };
    const { json } = logged('info', 'content', { outbound: fields });
    expect(json.outbound).toEqual({
      text: '[redacted]',
      body: '[redacted]',
      subject: '[redacted]',
      media_urls: '[redacted]',
      raw_body: '[redacted]',
      transcription: '[redacted]',
    });
    // Missing content stays missing rather than becoming "[redacted]".
    expect(scrubFields({ text: null, body: undefined })).toEqual({ text: null, body: undefined });
  });

  // Telnyx delivers MMS media as payload.media[].url; the links to what people sent are content.
  it('drops the media links of a received MMS', () => {
    const event = receivedMessage();
    event.data.payload.type = 'MMS';
    event.data.payload.media = [
      {
        url: 'https://media.example.com/mms/6f1a2b3c/selfie.jpg',
        content_type: 'image/jpeg',
        size: 81234,
        hash_sha256: 'a3f1',
      },
    ];
    const { line } = logged('info', 'webhook_received', { webhook: event });
    expect(line).not.toContain('selfie.jpg');
  });

  // TeXML/Twilio-style payloads capitalise their keys ("From", "Body").
  it('redacts content keys whatever their case', () => {
    const { line, json } = logged('info', 'texml_message', { From: '+13125550123', Body: 'my secret' });
    expect(json.From).toBe('+*******0123');
    expect(line).not.toContain('my secret');
  });

  it('masks national digits in phone-number fields', () => {
    const fields = {
      to: '3125550123',
      from: '13125550123',
      phone_number: '3125550123',
      caller_id_number: '3125550123',
      billing_number: '3125550123',
      ani: 'sip:3125550123@sip.telnyx.com',
      To: '3125550123',
      recipients: { to: ['3125550123', '4165550123'] },
    };
    const { line, json } = logged('info', 'numbers', fields);
    expect(line).not.toMatch(/\d{8}/);
    expect(json).toMatchObject({
      to: '******0123',
      from: '*******0123',
      phone_number: '******0123',
      caller_id_number: '******0123',
      billing_number: '******0123',
      ani: 'sip:******0123@sip.telnyx.com',
      To: '******0123',
      recipients: { to: ['******0123', '******0123'] },
    });
  });

  it('masks numbers in Error messages and stacks, and in their causes', () => {
    const error = new Error('Telnyx refused +13125550123', { cause: new Error('number +447700900123 is blocked') });
    const { line, json } = logged('error', 'send_failed', { error });
    expect(line).not.toMatch(PHONE);
    const written = json.error as Record<string, any>;
    expect(written.name).toBe('Error');
    expect(written.message).toBe('Telnyx refused +*******0123');
    expect(written.stack).toContain('Telnyx refused +*******0123');
    expect(written.cause.message).toBe('number +********0123 is blocked');
  });

  it('masks a number in the event name', () => {
    const { line, json } = logged('warn', 'opt_out_+13125550123', {});
    expect(json.event).toBe('opt_out_+*******0123');
    expect(line).not.toMatch(PHONE);
  });

  it('masks numbers in free text, including SIP URIs and numbers longer than 15 digits', () => {
    const { line, json } = logged('info', 'note', {
      note: 'from +13125550123 to +442079460000 via sip:+4915112345678@sip.telnyx.com',
      long: '+123456789012345678',
      short: '+1234567',
    });
    expect(line).not.toMatch(PHONE);
    expect(json.note).toBe('from +*******0123 to +********0000 via sip:+*********5678@sip.telnyx.com');
    expect(json.short).toBe('+***4567');
  });

  // The same number written with the usual separators, or URL-encoded, is still a phone number;
  // shared/phone's error details quote such input verbatim.
  it('masks numbers written with separators or URL-encoded', () => {
    const { line } = logged('warn', 'invalid_number', {
      to: '(312) 555-0123',
      from: '312-555-0124',
      detail: '"+1 312 555 0125" contains spaces.',
      url: 'https://api.telnyx.com/v2/number_lookup/%2B13125550126',
    });
    const digits = line.replace(/\D/g, '');
    const whole = ['3125550123', '3125550124', '3125550125', '3125550126'].filter((n) => digits.includes(n));
    expect(whole).toEqual([]);
  });

  // A number that arrived as a JSON number (and is logged because it was refused) is still masked.
  it('masks a phone number given as a JSON number', () => {
    const { line } = logged('warn', 'invalid_to', { to: 13125550123, phone_number: 447700900123 });
    expect(line).not.toContain('13125550123');
    expect(line).not.toContain('447700900123');
  });

  // A map keyed by phone number must not write its keys whole.
  it('masks phone numbers used as object keys', () => {
    const { line } = logged('info', 'batch_results', {
      results: { '+13125550123': 'queued', '+13125550124': 'failed' },
    });
    expect(line).not.toMatch(PHONE);
  });

  it('masks and redacts inside arrays of objects and mixed arrays', () => {
    const { line, json } = logged('info', 'batch', {
      messages: [{ to: '+13125550123', text: 'one' }, { to: '3125550124', text: 'two' }, '+13125550125', 42, null],
    });
    expect(line).not.toMatch(PHONE);
    expect(json.messages).toEqual([
      { to: '+*******0123', text: '[redacted]' },
      { to: '******0124', text: '[redacted]' },
      '+*******0125',
      42,
      null,
    ]);
  });
});

describe('values that are not phone numbers', () => {
  it('keeps counts, Unix timestamps, ids, costs and ISO dates as they are', () => {
    const fields = {
      count: 42,
      timestamp: '1763900000',
      timestamp_ms: 1763900000123,
      occurred_at: '2026-11-23T18:10:02.574+00:00',
      messaging_profile_id: '740572b6-099c-44a1-89b9-6c92163bc68d',
      order_id: '12345678901',
      cost: { amount: '0.0040', currency: 'USD' },
      ok: true,
      parts: [1, 2],
    };
    const { json } = logged('info', 'sent', fields);
    expect(json).toEqual({ time: expect.any(String), level: 'info', event: 'sent', ...fields });
  });

  it('masks digit runs only in phone-number fields, and "+" numbers of 7 or more digits anywhere', () => {
    // A field whose name ends in "_number" is treated as a phone number, whatever it holds.
    expect(scrubFields({ sequence_number: '123456789', page_number: '3' })).toEqual({
      sequence_number: '*****6789',
      page_number: '3',
    });
    // Short runs in phone fields (extensions, short codes) stay.
    expect(scrubFields({ to: '22395', from: '+1234' })).toEqual({ to: '22395', from: '+1234' });
    expect(maskText('a +123456 b +1234567 c')).toBe('a +123456 b +***4567 c');
  });

  it('masks to the last four digits, keeping a leading "+"', () => {
    expect(maskDigits('+13125550123')).toBe('+*******0123');
    expect(maskDigits('3125550123')).toBe('******0123');
    expect(maskDigits('0123')).toBe('0123');
    expect(maskDigits('123')).toBe('123');
  });

  // Objects are rebuilt field by field; a Date must keep its value rather than become {}.
  it('writes a Date as its ISO string', () => {
    const at = new Date('2026-11-23T18:10:02.574Z');
    expect(logged('info', 'retry_scheduled', { next_attempt_at: at }).json.next_attempt_at).toBe(at.toISOString());
  });
});

describe('paths and URLs', () => {
  it('masks a number written without "+" in a path, as a lookup URL carries it', () => {
    const { line, json } = logged('error', 'unhandled_error', {
      path: '/v2/number_lookup/13125550123',
      url: 'https://edge.example.com/v2/number_lookup/3125550124?type=carrier',
    });
    expect(line).not.toMatch(/3125550123|3125550124/);
    expect(json.path).toBe('/v2/number_lookup/*******0123');
  });
});

describe('robustness', () => {
  it('writes "[circular]" for a circular object instead of throwing', () => {
    const loop: Record<string, unknown> = { to: '+13125550123' };
    loop.self = loop;
    const error = new Error('loop');
    (error as Error & { cause: unknown }).cause = error;
    const { line, json } = logged('error', 'circular', { loop, error });
    expect(line).not.toMatch(PHONE);
    expect(json.loop).toEqual({ to: '+*******0123', self: '[circular]' });
    expect((json.error as Record<string, unknown>).cause).toBe('[circular]');
  });

  // Only a true cycle is "[circular]"; an object referenced twice side by side is written twice.
  it('writes an object referenced twice, but not circularly, both times', () => {
    const sender = { phone_number: '+13125550123' };
    const { json } = logged('info', 'pair', { first: sender, second: sender });
    expect(json.second).toEqual(json.first);
  });

  it('cuts very deep objects, so nothing deep leaks', () => {
    let deep: Record<string, unknown> = { note: 'call +13125550123' };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    const { line } = logged('info', 'deep', { deep });
    expect(line).toContain('"[too deep]"');
    expect(line).not.toContain('0123');
  });

  it('does not throw for functions, symbols and undefined values', () => {
    const { json } = logged('info', 'odd', { fn: () => 1, sym: Symbol('s'), nothing: undefined, nan: NaN });
    expect(json).toEqual({ time: expect.any(String), level: 'info', event: 'odd', nan: null });
  });

  // JSON.stringify throws on a BigInt; a log call (often made while handling another error) must not.
  it('does not throw for a BigInt', () => {
    expect(() => log.info('big', { size: 10n })).not.toThrow();
  });
});

describe('property: no whole phone number in any line', () => {
  const number = fc.stringMatching(/^\+[1-9][0-9]{7,14}$/);
  const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }));
  const key = fc.oneof(
    fc.constantFrom('to', 'from', 'note', 'detail', 'error', 'payload', 'data', 'errors', 'message', 'url'),
    fc.string({ minLength: 1, maxLength: 8 }),
  );
  /** How the text holding the number is wrapped: a string, an Error, or inside an array. */
  const wrapping = fc.constantFrom('string', 'error', 'array', 'error-cause');

  it('never writes an E.164 number embedded in text, in any field, at any depth', () => {
    fc.assert(
      fc.property(
        number,
        text,
        text,
        fc.array(key, { minLength: 1, maxLength: 6 }),
        wrapping,
        fc.constantFrom('debug', 'info', 'warn', 'error') as fc.Arbitrary<keyof typeof log>,
        fc.boolean(),
        (phone, before, after, path, wrap, level, inEvent) => {
          const message = before + phone + after;
          let value: unknown =
            wrap === 'string'
              ? message
              : wrap === 'error'
                ? new Error(message)
                : wrap === 'array'
                  ? [1, message, { other: 'x' }]
                  : new Error('outer', { cause: new Error(message) });
          for (const k of [...path].reverse()) value = { [k]: value };
          const { line } = logged(level, inEvent ? `event ${message}` : 'event', value as LogFields);
          expect(line).not.toContain(phone);
          expect(line).not.toContain(phone.slice(1));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never writes the national digits of a number in a phone-number field', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[2-9][0-9]{9}$/),
        text,
        fc.constantFrom('to', 'from', 'phone_number', 'caller_id_number', 'TO', 'dnis', 'lrn'),
        (national, before, key) => {
          const { line } = logged('info', 'event', { [key]: `${before} ${national} ` });
          expect(line).not.toContain(national);
        },
      ),
      { numRuns: 300 },
    );
  });
});
