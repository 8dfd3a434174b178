// Webhook signature checks (shared/webhooks): RELIABILITY.md rows 2-6, both Ed25519 engines,
// known-answer vectors, key rotation, and agreement with the official telnyx SDK's verifier.
import fc from 'fast-check';
import { TelnyxWebhook } from 'telnyx/lib/webhooks';
import { describe, expect, it } from 'vitest';
import { nobleVerifier, webCryptoVerifier, detectVerifier } from '../../shared/webhooks/ed25519';
import {
  WebhookConfigError,
  WebhookVerificationError,
  parsePublicKeys,
  parseToleranceSeconds,
  verifyWebhookSignature,
  type SignedWebhook,
  type VerificationFailure,
} from '../../shared/webhooks/signature';
import { rotatedKey, strangerKey, telnyxKey, toBase64 } from '../support/keys';
import { sampleEvent, signatureFor } from '../support/webhooks';

const encoder = new TextEncoder();
const NOW = 1_763_900_000; // a fixed "now" in Unix seconds; every test injects it
const engines = ['webcrypto', 'noble'] as const;

function webhook(body: string, timestamp = String(NOW), secretKey = telnyxKey.secretKey): SignedWebhook {
  return { timestamp, signature: signatureFor(body, timestamp, secretKey), rawBody: encoder.encode(body) };
}

async function failure(
  input: SignedWebhook,
  options: { keys?: Uint8Array[]; engine?: (typeof engines)[number]; nowSeconds?: number } = {},
): Promise<VerificationFailure | 'accepted'> {
  try {
    await verifyWebhookSignature(input, {
      keys: options.keys ?? [telnyxKey.publicKey],
      toleranceSeconds: 300,
      nowSeconds: options.nowSeconds ?? NOW,
      engine: options.engine ?? 'webcrypto',
    });
    return 'accepted';
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    throw error;
  }
}

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

describe('Ed25519 engines', () => {
  // RFC 8032 section 7.1, tests 1-3: vectors from outside this project and outside both engines.
  const rfc8032 = [
    {
      publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
      message: '',
      signature:
        'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    },
    {
      publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
      message: '72',
      signature:
        '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
    },
    {
      publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
      message: 'af82',
      signature:
        '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
    },
  ];

  for (const engine of [webCryptoVerifier, nobleVerifier]) {
    it(`${engine.engine} accepts the RFC 8032 vectors and refuses them altered`, async () => {
      for (const vector of rfc8032) {
        const [key, message, signature] = [hex(vector.publicKey), hex(vector.message), hex(vector.signature)];
        expect(await engine.verify(key, signature, message)).toBe(true);
        const altered = signature.slice();
        altered[10]! ^= 0x01;
        expect(await engine.verify(key, altered, message)).toBe(false);
        expect(await engine.verify(key, signature, encoder.encode('x'))).toBe(false);
      }
    });
  }

  // The two engines must agree at the edges too, or a signature would pass on one runtime and fail
  // on another: a malleated signature (S + L, the same point equation with a non-reduced S), a key
  // that is not on the curve, and the all-zero key.
  it('both engines refuse a malleated signature and keys that are not curve points', async () => {
    const L = (1n << 252n) + 27742317777372353535851937790883648493n;
    const vector = rfc8032[0]!;
    const [key, message, signature] = [hex(vector.publicKey), hex(vector.message), hex(vector.signature)];
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(signature[32 + i]!);
    const malleated = signature.slice();
    let sPlusL = s + L;
    for (let i = 0; i < 32; i++, sPlusL >>= 8n) malleated[32 + i] = Number(sPlusL & 0xffn);
    const offCurve = key.slice();
    offCurve[0] = 0x02; // y = 2 has no x on edwards25519
    offCurve.fill(0, 1);
    for (const engine of [webCryptoVerifier, nobleVerifier]) {
      expect(await engine.verify(key, malleated, message), engine.engine).toBe(false);
      expect(await engine.verify(offCurve, signature, message), engine.engine).toBe(false);
      expect(await engine.verify(new Uint8Array(32), signature, message), engine.engine).toBe(false);
    }
  });

  it('picks WebCrypto in workerd, which has Ed25519', async () => {
    expect((await detectVerifier()).engine).toBe('webcrypto');
  });
});

describe('verifyWebhookSignature', () => {
  for (const engine of engines) {
    it(`accepts a webhook signed by tweetnacl (an independent signer) over timestamp|body (${engine})`, async () => {
      expect(await failure(webhook(sampleEvent()), { engine })).toBe('accepted');
      expect(await failure(webhook(''), { engine })).toBe('accepted');
      expect(await failure(webhook('{"emoji":"📞","text":"héllo"}'), { engine })).toBe('accepted');
    });
  }

  it('accepts any of several configured keys (rotation) and no other', async () => {
    const keys = [telnyxKey.publicKey, rotatedKey.publicKey];
    expect(await failure(webhook(sampleEvent(), String(NOW), telnyxKey.secretKey), { keys })).toBe('accepted');
    expect(await failure(webhook(sampleEvent(), String(NOW), rotatedKey.secretKey), { keys })).toBe('accepted');
    expect(await failure(webhook(sampleEvent(), String(NOW), strangerKey.secretKey), { keys })).toBe(
      'signature_mismatch',
    );
  });

  // Row 2: the body must be verified as received; a re-serialised one never verifies.
  it('refuses a body that was parsed and re-serialised', async () => {
    const original = JSON.stringify(JSON.parse(sampleEvent()), null, 2);
    const signed = webhook(original);
    const compact = JSON.stringify(JSON.parse(original));
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(original)).reverse()));
    for (const body of [compact, reordered, original + '\n']) {
      expect(await failure({ ...signed, rawBody: encoder.encode(body) })).toBe('signature_mismatch');
    }
  });

  // Row 3: one flipped byte anywhere (body, timestamp or signature) is refused, never thrown past.
  it('refuses any single flipped byte in body, timestamp or signature', async () => {
    const body = sampleEvent();
    const good = webhook(body);
    const flip = (text: string, index: number, bit: number) =>
      text.slice(0, index) + String.fromCharCode(text.charCodeAt(index) ^ (1 << bit)) + text.slice(index + 1);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('body', 'timestamp', 'signature'),
        fc.nat(),
        fc.integer({ min: 0, max: 6 }),
        async (part, position, bit) => {
          let input: SignedWebhook;
          if (part === 'body') {
            const bytes = good.rawBody.slice();
            bytes[position % bytes.length]! ^= 1 << bit;
            input = { ...good, rawBody: bytes };
          } else if (part === 'timestamp') {
            input = { ...good, timestamp: flip(good.timestamp!, position % good.timestamp!.length, bit) };
          } else {
            input = { ...good, signature: flip(good.signature!, position % good.signature!.length, bit) };
          }
          expect(await failure(input)).not.toBe('accepted');
        },
      ),
      { numRuns: 300 },
    );
  });

  // Row 4: strict timestamps, ±300 s.
  it.each([
    ['300 s old', String(NOW - 300), 'accepted'],
    ['299 s old', String(NOW - 299), 'accepted'],
    ['299 s ahead', String(NOW + 299), 'accepted'],
    ['301 s old', String(NOW - 301), 'timestamp_outside_window'],
    ['301 s ahead', String(NOW + 301), 'timestamp_outside_window'],
    ['trailing letters', `${NOW}abc`, 'malformed_timestamp'],
    ['exponent', '1e9', 'malformed_timestamp'],
    ['negative', `-${NOW}`, 'malformed_timestamp'],
    ['20 digits', '12345678901234567890', 'malformed_timestamp'],
    ['decimal', `${NOW}.5`, 'malformed_timestamp'],
    ['leading space', ` ${NOW}`, 'malformed_timestamp'],
    ['NaN', 'NaN', 'malformed_timestamp'],
    ['zero', '0', 'timestamp_outside_window'],
  ] as const)('timestamp %s -> %s', async (_name, timestamp, expected) => {
    expect(await failure(webhook(sampleEvent(), timestamp))).toBe(expected);
  });

  it('refuses a missing timestamp or signature', async () => {
    const good = webhook(sampleEvent());
    expect(await failure({ ...good, timestamp: null })).toBe('missing_timestamp');
    expect(await failure({ ...good, signature: null })).toBe('missing_signature');
    expect(await failure({ ...good, signature: '' })).toBe('missing_signature');
  });

  // Row 5: the signature must be standard, padded base64 of exactly 64 bytes.
  it('refuses malformed signatures', async () => {
    const good = webhook(sampleEvent());
    const bytes = Uint8Array.from(atob(good.signature!), (c) => c.charCodeAt(0));
    const cases: Record<string, string> = {
      '63 bytes': toBase64(bytes.slice(0, 63)),
      '65 bytes': toBase64(new Uint8Array([...bytes, 0])),
      base64url: good.signature!.replace(/\+/g, '-').replace(/\//g, '_'),
      'missing padding': good.signature!.replace(/=+$/, ''),
      'extra padding': good.signature! + '==',
      'inner whitespace': good.signature!.slice(0, 10) + ' ' + good.signature!.slice(10),
      'hex instead': Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(''),
      'non-canonical last character': good.signature!.slice(0, -3) + nudgeUnusedBits(good.signature!.at(-3)!) + '==',
    };
    for (const [name, signature] of Object.entries(cases)) {
      expect([name, await failure({ ...good, signature })]).toEqual([name, 'malformed_signature']);
    }
  });
});

/** A base64 character that differs from `c` only in the 4 low bits a 64-byte value leaves unused. */
function nudgeUnusedBits(c: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  return alphabet[alphabet.indexOf(c) ^ 0x01]!;
}

describe('configuration', () => {
  it('parses one or several keys separated by spaces or commas', () => {
    const [a, b] = [telnyxKey.publicKeyBase64, rotatedKey.publicKeyBase64];
    expect(parsePublicKeys(a)).toEqual([telnyxKey.publicKey]);
    expect(parsePublicKeys(`${a},${b}`)).toEqual([telnyxKey.publicKey, rotatedKey.publicKey]);
    expect(parsePublicKeys(` ${a} ,\n ${b} `)).toEqual([telnyxKey.publicKey, rotatedKey.publicKey]);
  });

  // Row 6 (the parsing half; the 503 is in webhook-receive.integration.test.ts).
  it.each([
    ['unset', undefined],
    ['empty', ''],
    ['blank', '  , '],
    ['not base64', 'not-a-key!'],
    ['31 bytes', toBase64(new Uint8Array(31))],
    ['33 bytes', toBase64(new Uint8Array(33))],
    ['base64url', '-' + telnyxKey.publicKeyBase64.slice(1)],
    ['one good, one bad', `${telnyxKey.publicKeyBase64} abc`],
  ])('refuses a key list that is %s', (_name, value) => {
    expect(() => parsePublicKeys(value)).toThrow(WebhookConfigError);
  });

  it('reads the tolerance, defaulting to 300 s, and never lets it be switched off', () => {
    expect(parseToleranceSeconds(undefined)).toBe(300);
    expect(parseToleranceSeconds('60')).toBe(60);
    for (const bad of ['0', '-1', 'off', '3601', '1e3', '30.5', 'Infinity']) {
      expect(() => parseToleranceSeconds(bad), bad).toThrow(WebhookConfigError);
    }
  });
});

describe('agreement with the official telnyx SDK verifier', () => {
  // Both verifiers see the same cases; "now" is real time here because the SDK reads Date.now().
  it('accepts and refuses the same webhooks', async () => {
    const sdk = new TelnyxWebhook(telnyxKey.publicKeyBase64);
    const now = Math.floor(Date.now() / 1000);
    const body = sampleEvent();
    const good = webhook(body, String(now));
    const cases: Record<string, SignedWebhook> = {
      genuine: good,
      'empty body': webhook('', String(now)),
      'unicode body': webhook('{"text":"ünïcödé ✓"}', String(now)),
      'other key': webhook(body, String(now), strangerKey.secretKey),
      'tampered body': { ...good, rawBody: encoder.encode(body.replace('Hello', 'Jello')) },
      '299 s old': webhook(body, String(now - 299)),
      '301 s old': webhook(body, String(now - 301)),
      '301 s ahead': webhook(body, String(now + 301)),
      'letters in timestamp': webhook(body, `${now}abc`),
      'missing timestamp': { ...good, timestamp: null },
      'missing signature': { ...good, signature: null },
      '63-byte signature': { ...good, signature: toBase64(new Uint8Array(63)) },
      'base64url signature': { ...good, signature: '_' + good.signature!.slice(1) },
    };
    for (const [name, input] of Object.entries(cases)) {
      const ours = (await failure(input, { nowSeconds: Math.floor(Date.now() / 1000) })) === 'accepted';
      const headers: Record<string, string> = {};
      if (input.timestamp !== null) headers['telnyx-timestamp'] = input.timestamp;
      if (input.signature !== null) headers['telnyx-signature-ed25519'] = input.signature;
      const theirs = await sdk.verify(new TextDecoder().decode(input.rawBody), headers).then(
        () => true,
        () => false,
      );
      expect([name, ours]).toEqual([name, theirs]);
    }
  });
});
