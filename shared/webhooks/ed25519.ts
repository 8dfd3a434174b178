// Ed25519 signature checks, by WebCrypto where the runtime has it (workerd does: about 70 µs a
// check) and by tweetnacl where it does not (pure JS: about 6.5 ms, most of a free-plan request's
// 10 ms CPU budget). Imported WebCrypto keys are cached for the life of the isolate.

import nacl from 'tweetnacl';
import { encodeBase64 } from '../base64';

export type Ed25519Engine = 'webcrypto' | 'tweetnacl';

export interface Ed25519Verifier {
  readonly engine: Ed25519Engine;
  verify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Promise<boolean>;
}

export const tweetnaclVerifier: Ed25519Verifier = {
  engine: 'tweetnacl',
  async verify(publicKey, signature, message) {
    return nacl.sign.detached.verify(message, signature, publicKey);
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
 * The verifier this runtime supports: WebCrypto when it can import an Ed25519 key, else tweetnacl.
 * Decided once per isolate.
 */
export function detectVerifier(): Promise<Ed25519Verifier> {
  detected ??= crypto.subtle.importKey('raw', PROBE_KEY, { name: 'Ed25519' }, false, ['verify']).then(
    () => webCryptoVerifier,
    () => tweetnaclVerifier,
  );
  return detected;
}

export function verifierFor(engine: Ed25519Engine | 'auto'): Promise<Ed25519Verifier> {
  if (engine === 'webcrypto') return Promise.resolve(webCryptoVerifier);
  if (engine === 'tweetnacl') return Promise.resolve(tweetnaclVerifier);
  return detectVerifier();
}
