// SMS encoding and part counts, as Telnyx reports them in a message's `encoding` and `parts`, and
// "smart encoding" (typographic look-alikes replaced by GSM characters so a message stays GSM-7).
//
// A message is GSM-7 when every character is in the GSM 03.38 (3GPP TS 23.038) default alphabet or
// its extension table, and UCS-2 otherwise: one emoji or curly quote makes the whole message UCS-2.
// A single part holds 140 octets: 160 septets or 70 UTF-16 code units. Once a message needs more,
// each part gives 6 octets to the concatenation header, leaving 153 septets or 67 units. A part
// cannot end in the middle of an extension character's escape sequence or of a surrogate pair, so
// parts are counted by walking the text, which can give more than ceil(units / 153) (or / 67).
//
// The tables follow the standard, as the design's Telnyx facts do ('€' counts double). Telnyx's own
// pages disagree with each other: a version of its "message encoding" page lists a narrower "most
// widely supported" set, without the Greek capitals, '¤', 'Ç', '§' and '€', so for those few characters
// Telnyx may report UCS-2 where this says GSM-7. 0x09 is 'Ç' as 23.038 draws it, although
// Unicode's GSM0338.TXT maps it to 'ç'.

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegments {
  encoding: SmsEncoding;
  /** Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2. */
  units: number;
  parts: number;
  /** 160 or 70 for a single part, 153 or 67 once the message is split. */
  unitsPerPart: number;
}

/** Telnyx refuses a message that would need more parts than this. */
export const MAX_SMS_PARTS = 10;

/**
 * The default alphabet in septet order, 16 per row. 0x1B is ESC, the escape to the extension
 * table and not a character of its own, so it is left out of the lookup below: a U+001B in the
 * text cannot be sent as GSM-7.
 */
export const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅå' + // 0x00
  'Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ' + // 0x10
  ' !"#¤%&\'()*+,-./' + // 0x20: '¤' where ASCII has '$'
  '0123456789:;<=>?' + // 0x30
  '¡ABCDEFGHIJKLMNO' + // 0x40: '¡' where ASCII has '@'
  'PQRSTUVWXYZÄÖÑÜ§' + // 0x50
  '¿abcdefghijklmno' + // 0x60: '¿' where ASCII has '`'
  'pqrstuvwxyzäöñüà'; // 0x70

/**
 * Extension table characters: each is sent as ESC plus one septet, so it costs two. In septet
 * order: 0x0A form feed, 0x14 '^', 0x28 '{', 0x29 '}', 0x2F '\', 0x3C '[', 0x3D '~', 0x3E ']',
 * 0x40 '|', 0x65 '€'. The table's other codes are reserved or controls with no character.
 */
export const GSM_EXTENSION = '\f^{}\\[~]|€';

/** Septets each GSM-7 character costs; a character missing here makes the message UCS-2. */
const SEPTETS = new Map<string, number>([
  ...[...GSM_BASIC].filter((c) => c !== '\x1b').map((c) => [c, 1] as const),
  ...[...GSM_EXTENSION].map((c) => [c, 2] as const),
]);

const PART_SIZE: Record<SmsEncoding, { single: number; multi: number }> = {
  'GSM-7': { single: 160, multi: 153 },
  'UCS-2': { single: 70, multi: 67 },
};

/**
 * Encoding and part count of an SMS body. Empty text is 1 part of 0 units, GSM-7: an MMS may have
 * no text at all, and every message is at least one part.
 */
export function segmentSms(text: string): SmsSegments {
  // Iterating a string yields code points, so a surrogate pair stays one character (cost 2 in
  // UCS-2); a lone surrogate comes out alone and costs 1.
  const characters = [...text];
  const encoding: SmsEncoding = characters.every((c) => SEPTETS.has(c)) ? 'GSM-7' : 'UCS-2';
  const costs = characters.map((c) => (encoding === 'GSM-7' ? (SEPTETS.get(c) ?? 1) : c.length));
  const units = costs.reduce((sum, cost) => sum + cost, 0);

  const { single, multi } = PART_SIZE[encoding];
  if (units <= single) return { encoding, units, parts: 1, unitsPerPart: single };

  // A character that does not fit in what is left of a part starts the next one whole.
  let parts = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > multi) {
      parts += 1;
      used = 0;
    }
    used += cost;
  }
  return { encoding, units, parts, unitsPerPart: multi };
}

/**
 * Characters with an obvious GSM look-alike, and what replaces them. Only typography that editors,
 * phone keyboards and web pages put in place of plain characters is here; letters and symbols
 * with no GSM twin (emoji, CJK, 'ç', '•', ...) are left alone, so their text still goes as UCS-2.
 * Every replacement is GSM-7, and no GSM character is a key, so all-GSM text never changes.
 */
const LOOK_ALIKE_ROWS: readonly (readonly [characters: string, replacement: string])[] = [
  // Curly and angle double quotes, and the double prime: "smart quotes" from word processors.
  ['\u201C\u201D\u201E\u201F\u00AB\u00BB\u2033', '"'], // “ ” „ ‟ « » ″
  // Curly and angle single quotes, apostrophe-like marks, the prime, acute and grave accents
  // (the grave accent '`' is ASCII but not GSM).
  ['\u2018\u2019\u201A\u201B\u2039\u203A\u02BB\u02BC\u2032\u00B4\u0060', "'"], // ‘ ’ ‚ ‛ ‹ › ʻ ʼ ′ ´ `
  // Hyphens and dashes: auto-correct turns "--" into a dash; U+2011 is the non-breaking hyphen.
  ['\u2010\u2011\u2012\u2013\u2014\u2015\u2212', '-'], // ‐ ‑ ‒ – — ― −
  ['\u2026', '...'], // …
  ['\u2044\u2215', '/'], // fraction slash, division slash
  // Spaces other than U+0020: no-break, en/em/thin/hair and other typographic spaces, the
  // narrow no-break space (French punctuation, iOS times), the ideographic space, and tab.
  ['\u00A0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000\t', ' '],
  ['\u2028\u2029', '\n'], // line and paragraph separators
  // Invisible characters that change nothing a reader sees: soft hyphen, zero-width space, word
  // joiner, byte order mark. The zero-width (non-)joiners are kept: they shape emoji and scripts.
  ['\u00AD\u200B\u2060\uFEFF', ''],
  // Symbols that Unicode encodes twice: the ohm sign and Ångström sign are canonically the Greek
  // Omega and 'Å'; the increment sign is drawn as a Delta.
  ['\u2126', 'Ω'],
  ['\u212B', 'Å'],
  ['\u2206', 'Δ'],
];

// Greek capitals drawn exactly like Latin ones. 03.38 carries only the ten Greek capitals with
// shapes of their own; Unicode's GSM0338.TXT notes the standard's intent that the others are
// written with the Latin letters, so these are look-alikes in the strictest sense.
const GREEK_CAPITALS = '\u0391\u0392\u0395\u0396\u0397\u0399\u039A\u039C\u039D\u039F\u03A1\u03A4\u03A5\u03A7';
const SAME_LATIN_CAPITALS = 'ABEZHIKMNOPTYX';

/** Look-alike character → its GSM replacement. */
export const LOOK_ALIKES: ReadonlyMap<string, string> = new Map([
  ...LOOK_ALIKE_ROWS.flatMap(([characters, replacement]) => [...characters].map((c) => [c, replacement] as const)),
  ...[...GREEK_CAPITALS].map((c, i) => [c, SAME_LATIN_CAPITALS.charAt(i)] as const),
]);

/**
 * Replaces look-alikes (see LOOK_ALIKES) with their GSM characters. `replaced` counts the
 * characters replaced (as Telnyx's replaced_character_count does), not the length change. Text
 * with other non-GSM characters comes back with only its look-alikes replaced, still UCS-2.
 */
export function smartEncode(text: string): { text: string; replaced: number } {
  let replaced = 0;
  let result = '';
  for (const character of text) {
    const replacement = LOOK_ALIKES.get(character);
    if (replacement === undefined) {
      result += character;
    } else {
      result += replacement;
      replaced += 1;
    }
  }
  return { text: result, replaced };
}
