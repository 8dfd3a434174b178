// Signs webhooks exactly as Telnyx does: Ed25519 over `${telnyx-timestamp}|${body}`, sent as
// base64 in telnyx-signature-ed25519, with the Unix-seconds timestamp in telnyx-timestamp.
// The key is the simulator's own (SIM_SIGNING_KEY, a base64 32-byte seed); its public half is
// served at GET /sim/public-key for the bundle's TELNYX_PUBLIC_KEY.

import { decodeBase64Strict, encodeBase64 } from '../../shared/base64';

/** PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): a fixed 16-byte header, then the 32 bytes. */
const PKCS8_ED25519_PREFIX = [
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

export interface Signer {
  publicKeyBase64: string;
  sign(timestamp: string, body: string): Promise<string>;
}

let cached: { seed: string; signer: Promise<Signer> } | undefined;

export function signerFor(seedBase64: string | undefined): Promise<Signer> {
  if (seedBase64 === undefined || seedBase64 === '') {
    return Promise.reject(new Error('SIM_SIGNING_KEY is not set: the simulator cannot sign webhooks.'));
  }
  if (cached?.seed !== seedBase64) cached = { seed: seedBase64, signer: createSigner(seedBase64) };
  return cached.signer;
}

async function createSigner(seedBase64: string): Promise<Signer> {
  const seed = decodeBase64Strict(seedBase64);
  if (seed === undefined || seed.length !== 32) throw new Error('SIM_SIGNING_KEY must be the base64 of 32 bytes.');
  const key = await crypto.subtle.importKey(
    'pkcs8',
    new Uint8Array([...PKCS8_ED25519_PREFIX, ...seed]),
    { name: 'Ed25519' },
    true,
    ['sign'],
  );
  const jwk = (await crypto.subtle.exportKey('jwk', key)) as JsonWebKey;
  const publicKey = Uint8Array.from(atob(jwk.x!.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const encoder = new TextEncoder();
  return {
    publicKeyBase64: encodeBase64(publicKey),
    async sign(timestamp, body) {
      const signature = await crypto.subtle.sign('Ed25519', key, encoder.encode(`${timestamp}|${body}`));
      return encodeBase64(new Uint8Array(signature));
    },
  };
}
