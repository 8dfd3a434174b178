// Strict standard base64 (RFC 4648 section 4: "+/" alphabet, "=" padding required). Anything else
// is refused rather than repaired: for signatures and keys, "almost base64" is an error to report,
// and a decoder that ignores stray bits would let two different strings stand for one signature.

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes canonical standard base64, or returns undefined when `text` is anything else. */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  if (!STANDARD_BASE64.test(text)) return undefined;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  // Canonical form only: the unused low bits of the last character must be zero, so each
  // byte string has exactly one encoding.
  return encodeBase64(bytes) === text ? bytes : undefined;
}

export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}
