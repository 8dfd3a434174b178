// Fixed Ed25519 key pairs for tests, derived from constant seeds with tweetnacl so that the vitest
// config (in Node) and the tests (in workerd) agree on them without any file being shared at run time.
import nacl from 'tweetnacl';

function keyPairFromSeedByte(byte: number) {
  const pair = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(byte));
  return {
    seedByte: byte,
    secretKey: pair.secretKey,
    publicKey: pair.publicKey,
    publicKeyBase64: toBase64(pair.publicKey),
  };
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The key TELNYX_PUBLIC_KEY holds in tests, and the simulator signs with in tests. */
export const telnyxKey = keyPairFromSeedByte(7);
/** A second key, for rotation tests (both configured at once). */
export const rotatedKey = keyPairFromSeedByte(8);
/** A key the edge does not trust. */
export const strangerKey = keyPairFromSeedByte(9);

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';
