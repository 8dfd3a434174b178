// Ed25519 signature checks, by WebCrypto where the runtime has it (workerd does: about 45 µs a
// check) and by @noble/ed25519 where it does not (pure JS with WebCrypto's SHA-512: about 0.7 ms,
// measured by `npm run bench`; tweetnacl took 4 to 6). Imported WebCrypto keys are cached for the
// life of the isolate.
//
// The fallback was tweetnacl; @noble/ed25519 does the same job in a third of the bytes (3 KiB
// gzipped against 11), which keeps the bundle within its 100 KiB budget. It verifies by RFC 8032's
// rules (zip215: false), as WebCrypto does, so both engines accept and refuse the same signatures.

import { verifyAsync } from '@noble/ed25519';
import { encodeBase64 } from '../base64';

export type Ed25519Engine = 'webcrypto' | 'noble';

export interface Ed25519Verifier {
  readonly engine: Ed25519Engine;
  verify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Promise<boolean>;
}

export const nobleVerifier: Ed25519Verifier = {
  engine: 'noble',
  async verify(publicKey, signature, message) {
    try {
      return await verifyAsync(signature, message, publicKey, { zip215: false });
    } catch {
      return false; // a key or signature that is not a curve point: not a valid signature
    }
  },
};

const importedKeys = new Map<string, Promise<CryptoKey>>();

function importEd25519Key(publicKey: Uint8Array): Promise<CryptoKey> {
  const id = encodeBase64(publicKey);
  let key = importedKeys.get(id);
  if (key === undefined) {
    key = crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
    // A failed import is not cached, so a passing fault does not stick for the isolate's life.
    key.catch(() => importedKeys.delete(id));
    importedKeys.set(id, key);
  }
  return key;
}

export const webCryptoVerifier: Ed25519Verifier = {
  engine: 'webcrypto',
  async verify(publicKey, signature, message) {
    const key = await importEd25519Key(publicKey);
    return crypto.subtle.verify('Ed25519', key, signature, message);
  },
};

let detected: Promise<Ed25519Verifier> | undefined;

/** RFC 8032 section 7.1, test 1: a valid public key, so only a missing algorithm can fail the probe. */
const PROBE_KEY = Uint8Array.from(
  'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'.match(/../g)!,
  (hex) => parseInt(hex, 16),
);

/**
 * The verifier this runtime supports: WebCrypto when it can import an Ed25519 key, else @noble/ed25519.
 * Decided once per isolate.
 */
export function detectVerifier(): Promise<Ed25519Verifier> {
  detected ??= crypto.subtle.importKey('raw', PROBE_KEY, { name: 'Ed25519' }, false, ['verify']).then(
    () => webCryptoVerifier,
    () => nobleVerifier,
  );
  return detected;
}

export function verifierFor(engine: Ed25519Engine | 'auto'): Promise<Ed25519Verifier> {
  if (engine === 'webcrypto') return Promise.resolve(webCryptoVerifier);
  if (engine === 'noble') return Promise.resolve(nobleVerifier);
  return detectVerifier();
}
