// SMS encoding and part counts (shared/sms-encoding): the GSM 03.38 default alphabet and extension
// table checked code point by code point against the standard, and every other BMP character
// making a message UCS-2; part boundaries for GSM-7 (160/161, 306/307, 1530/1531) and UCS-2
// (70/71, 134/135, 670/671); extension characters costing two septets and never split from their
// escape; surrogate pairs never split; empty text; property tests against the ceil formula where
// it holds. Smart encoding: the look-alike table, worked examples, and properties (look-alikes
// always end GSM-7, all-GSM text never changes, a second pass replaces nothing).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GSM_BASIC,
  GSM_EXTENSION,
  LOOK_ALIKES,
  MAX_SMS_PARTS,
  segmentSms,
  smartEncode,
  type SmsSegments,
} from '../../shared/sms-encoding';

/**
 * 3GPP TS 23.038 §6.2.1 default alphabet as Unicode code points, in septet order, written here
 * independently of the module. null at 0x1B: ESC, the escape to the extension table.
 */
const STANDARD_BASIC: (number | null)[] = [
  // 0x00: @ £ $ ¥ è é ù ì ò Ç LF Ø ø CR Å å
  0x40,
  0xa3,
  0x24,
  0xa5,
  0xe8,
  0xe9,
  0xf9,
  0xec,
  0xf2,
  0xc7,
  0x0a,
  0xd8,
  0xf8,
  0x0d,
  0xc5,
  0xe5,
  // 0x10: Δ _ Φ Γ Λ Ω Π Ψ Σ Θ Ξ ESC Æ æ ß É
  0x394,
  0x5f,
  0x3a6,
  0x393,
  0x39b,
  0x3a9,
  0x3a0,
  0x3a8,
  0x3a3,
  0x398,
  0x39e,
  null,
  0xc6,
  0xe6,
  0xdf,
  0xc9,
  // 0x20: space ! " # ¤ % & ' ( ) * + , - . /
  0x20,
  0x21,
  0x22,
  0x23,
  0xa4,
  0x25,
  0x26,
  0x27,
  0x28,
  0x29,
  0x2a,
  0x2b,
  0x2c,
  0x2d,
  0x2e,
  0x2f,
  // 0x30: 0-9 : ; < = > ?
  0x30,
  0x31,
  0x32,
  0x33,
  0x34,
  0x35,
  0x36,
  0x37,
  0x38,
  0x39,
  0x3a,
  0x3b,
  0x3c,
  0x3d,
  0x3e,
  0x3f,
  // 0x40: ¡ A-O
  0xa1,
  0x41,
  0x42,
  0x43,
  0x44,
  0x45,
  0x46,
  0x47,
  0x48,
  0x49,
  0x4a,
  0x4b,
  0x4c,
  0x4d,
  0x4e,
  0x4f,
  // 0x50: P-Z Ä Ö Ñ Ü §
  0x50,
  0x51,
  0x52,
  0x53,
  0x54,
  0x55,
  0x56,
  0x57,
  0x58,
  0x59,
  0x5a,
  0xc4,
  0xd6,
  0xd1,
  0xdc,
  0xa7,
  // 0x60: ¿ a-o
  0xbf,
  0x61,
  0x62,
  0x63,
  0x64,
  0x65,
  0x66,
  0x67,
  0x68,
  0x69,
  0x6a,
  0x6b,
  0x6c,
  0x6d,
  0x6e,
  0x6f,
  // 0x70: p-z ä ö ñ ü à
  0x70,
  0x71,
  0x72,
  0x73,
  0x74,
  0x75,
  0x76,
  0x77,
  0x78,
  0x79,
  0x7a,
  0xe4,
  0xf6,
  0xf1,
  0xfc,
  0xe0,
];

/** 23.038 §6.2.1.1 extension table: septet after ESC → code point (FF ^ { } \ [ ~ ] | €). */
const STANDARD_EXTENSION: [number, number][] = [
  [0x0a, 0x0c],
  [0x14, 0x5e],
  [0x28, 0x7b],
  [0x29, 0x7d],
  [0x2f, 0x5c],
  [0x3c, 0x5b],
  [0x3d, 0x7e],
  [0x3e, 0x5d],
  [0x40, 0x7c],
  [0x65, 0x20ac],
];

const basicCharacters = STANDARD_BASIC.filter((c) => c !== null).map((c) => String.fromCodePoint(c));
const extensionCharacters = STANDARD_EXTENSION.map(([, c]) => String.fromCodePoint(c));
const gsmCharacters = [...basicCharacters, ...extensionCharacters];

const gsm = (units: number, parts: number, unitsPerPart: number): SmsSegments => ({
  encoding: 'GSM-7',
  units,
  parts,
  unitsPerPart,
});
const ucs2 = (units: number, parts: number, unitsPerPart: number): SmsSegments => ({
  encoding: 'UCS-2',
  units,
  parts,
  unitsPerPart,
});

const CYRILLIC = 'я'; // one UTF-16 unit, not GSM
const EMOJI = '😀'; // a surrogate pair: two UTF-16 units

describe('the GSM 03.38 tables', () => {
  it('the basic table has 128 entries, matching the standard septet by septet', () => {
    expect(STANDARD_BASIC).toHaveLength(128);
    expect([...GSM_BASIC]).toHaveLength(128);
    [...GSM_BASIC].forEach((character, septet) => {
      const expected = STANDARD_BASIC[septet];
      if (expected === null) expect(character).toBe('\x1b');
      else expect(character.codePointAt(0), `septet 0x${septet.toString(16)}`).toBe(expected);
    });
  });

  it('the extension table holds exactly the ten characters of the standard', () => {
    expect([...GSM_EXTENSION].sort()).toEqual([...extensionCharacters].sort());
  });

  it.each(basicCharacters.map((c) => [`U+${c.codePointAt(0)!.toString(16).padStart(4, '0')}`, c]))(
    'basic character %s is GSM-7 and costs 1 septet',
    (_, character) => {
      expect(segmentSms(character)).toEqual(gsm(1, 1, 160));
    },
  );

  it.each(extensionCharacters.map((c) => [`U+${c.codePointAt(0)!.toString(16).padStart(4, '0')}`, c]))(
    'extension character %s is GSM-7 and costs 2 septets',
    (_, character) => {
      expect(segmentSms(character)).toEqual(gsm(2, 1, 160));
    },
  );

  it('the whole alphabet together: 127 basic characters and 10 extension characters cost 147 septets', () => {
    expect(basicCharacters).toHaveLength(127);
    expect(segmentSms(gsmCharacters.join(''))).toEqual(gsm(127 + 20, 1, 160));
  });

  it('every other BMP character makes the message UCS-2', () => {
    const gsmSet = new Set(gsmCharacters);
    const wronglyGsm: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue; // surrogates: tested separately
      const character = String.fromCharCode(code);
      if (gsmSet.has(character)) continue;
      const result = segmentSms(character);
      if (result.encoding !== 'UCS-2' || result.units !== 1) wronglyGsm.push(`U+${code.toString(16)}`);
    }
    expect(wronglyGsm).toEqual([]);
  });

  // Characters that are easy to get wrong; each alone in otherwise plain text.
  it.each([
    ['ç (only capital Ç is at 0x09 in 23.038; Unicode GSM0338.TXT reads it as ç)', 'ç', 'UCS-2'],
    ['Ç', 'Ç', 'GSM-7'],
    ['the grave accent ` (ASCII, but 0x60 is ¿)', '`', 'UCS-2'],
    ['¤ (0x24, where ASCII has $)', '¤', 'GSM-7'],
    ['$ (0x02)', '$', 'GSM-7'],
    ['@ (0x00)', '@', 'GSM-7'],
    ['ESC itself (U+001B)', '\x1b', 'UCS-2'],
    ['a tab', '\t', 'UCS-2'],
    ['a no-break space', '\u00a0', 'UCS-2'],
    ['á (only à is in the table)', 'á', 'UCS-2'],
    ['à', 'à', 'GSM-7'],
    ['Â (only Ä and Å)', 'Â', 'UCS-2'],
    ['É', 'É', 'GSM-7'],
    ['ê', 'ê', 'UCS-2'],
    ['the Greek capital Alpha (written as Latin A in GSM)', '\u0391', 'UCS-2'],
    ['the Greek capital Delta', '\u0394', 'GSM-7'],
    ['the Greek small delta', '\u03b4', 'UCS-2'],
    ['the increment sign ∆ (U+2206, not Delta)', '\u2206', 'UCS-2'],
    ['¢', '¢', 'UCS-2'],
    ['a curly apostrophe', '\u2019', 'UCS-2'],
    ['an em dash', '\u2014', 'UCS-2'],
    ['a form feed (extension 0x0A)', '\f', 'GSM-7'],
  ])('%s', (_, character, encoding) => {
    expect(segmentSms(`Hello ${character} there`).encoding).toBe(encoding);
  });
});

describe('segmentSms: GSM-7 part boundaries', () => {
  it.each([
    [1, gsm(1, 1, 160)],
    [160, gsm(160, 1, 160)],
    [161, gsm(161, 2, 153)],
    [306, gsm(306, 2, 153)],
    [307, gsm(307, 3, 153)],
    [459, gsm(459, 3, 153)],
    [460, gsm(460, 4, 153)],
    [1530, gsm(1530, 10, 153)],
    [1531, gsm(1531, 11, 153)],
  ])('%i septets', (length, expected) => {
    expect(segmentSms('a'.repeat(length))).toEqual(expected);
  });

  it('the longest message Telnyx accepts is 1530 septets, 10 parts', () => {
    expect(segmentSms('x'.repeat(1530)).parts).toBe(MAX_SMS_PARTS);
    expect(segmentSms('x'.repeat(1531)).parts).toBe(MAX_SMS_PARTS + 1);
  });

  it('extension characters count double: 80 × € is 160 septets in 1 part, 81 × € needs 2', () => {
    expect(segmentSms('€'.repeat(80))).toEqual(gsm(160, 1, 160));
    expect(segmentSms('€'.repeat(81))).toEqual(gsm(162, 2, 153));
    expect(segmentSms('a'.repeat(158) + '{')).toEqual(gsm(160, 1, 160));
    expect(segmentSms('a'.repeat(159) + '}')).toEqual(gsm(161, 2, 153));
  });

  it('an extension character that would straddle septet 153 moves whole to the next part', () => {
    // 152 + [2] + 152 = 306 septets, which ceil(306 / 153) would put in 2 parts; but the '€' does
    // not fit in the first part's last septet, so the parts are 152 | 2 + 151 | 1.
    expect(segmentSms('a'.repeat(152) + '€' + 'a'.repeat(152))).toEqual(gsm(306, 3, 153));
    // One septet earlier it ends the first part exactly: 151 + 2 | 153.
    expect(segmentSms('a'.repeat(151) + '€' + 'a'.repeat(153))).toEqual(gsm(306, 2, 153));
  });

  it('a text of only extension characters loses a septet per part: 765 × € is 1530 septets but 11 parts', () => {
    // Each part holds 76 of them (152 septets): 765 / 76 → 11 parts, where ceil(1530 / 153) = 10.
    expect(segmentSms('€'.repeat(765))).toEqual(gsm(1530, 11, 153));
    expect(segmentSms('€'.repeat(760))).toEqual(gsm(1520, 10, 153));
    expect(segmentSms('€'.repeat(761))).toEqual(gsm(1522, 11, 153));
  });

  it('counts CR and LF as one septet each', () => {
    expect(segmentSms('line one\r\nline two\n')).toEqual(gsm(19, 1, 160));
  });

  it('empty text (an MMS without a body) is one GSM-7 part of 0 septets', () => {
    expect(segmentSms('')).toEqual(gsm(0, 1, 160));
  });
});

describe('segmentSms: UCS-2 part boundaries', () => {
  it.each([
    [1, ucs2(1, 1, 70)],
    [70, ucs2(70, 1, 70)],
    [71, ucs2(71, 2, 67)],
    [134, ucs2(134, 2, 67)],
    [135, ucs2(135, 3, 67)],
    [670, ucs2(670, 10, 67)],
    [671, ucs2(671, 11, 67)],
  ])('%i UTF-16 units', (length, expected) => {
    expect(segmentSms(CYRILLIC.repeat(length))).toEqual(expected);
  });

  it('the longest UCS-2 message Telnyx accepts is 670 units, 10 parts', () => {
    expect(segmentSms('ж'.repeat(670)).parts).toBe(MAX_SMS_PARTS);
    expect(segmentSms('ж'.repeat(671)).parts).toBe(MAX_SMS_PARTS + 1);
  });

  it('one non-GSM character makes the whole message UCS-2', () => {
    expect(segmentSms('a'.repeat(150))).toEqual(gsm(150, 1, 160));
    expect(segmentSms('a'.repeat(150) + 'ç')).toEqual(ucs2(151, 3, 67));
    expect(segmentSms('Hi' + EMOJI)).toEqual(ucs2(4, 1, 70));
  });

  it('in UCS-2, extension characters are one unit like any other BMP character', () => {
    expect(segmentSms('€[]' + CYRILLIC)).toEqual(ucs2(4, 1, 70));
  });

  it('characters outside the BMP are two units each', () => {
    expect(segmentSms(EMOJI)).toEqual(ucs2(2, 1, 70));
    expect(segmentSms(EMOJI.repeat(35))).toEqual(ucs2(70, 1, 70));
    // 33 emoji fill 66 of a part's 67 units; the 34th starts the next part.
    expect(segmentSms(EMOJI.repeat(36))).toEqual(ucs2(72, 2, 67));
    expect(segmentSms(EMOJI.repeat(67))).toEqual(ucs2(134, 3, 67));
  });

  it('a surrogate pair that would straddle unit 67 moves whole to the next part', () => {
    // 66 + [2] + 66 = 134 units, 2 parts by ceil(134 / 67); really 66 | 2 + 65 | 1.
    expect(segmentSms(CYRILLIC.repeat(66) + EMOJI + CYRILLIC.repeat(66))).toEqual(ucs2(134, 3, 67));
    // One unit earlier it ends the first part exactly: 65 + 2 | 67.
    expect(segmentSms(CYRILLIC.repeat(65) + EMOJI + CYRILLIC.repeat(67))).toEqual(ucs2(134, 2, 67));
  });

  it('a lone surrogate is not GSM and counts as one unit', () => {
    expect(segmentSms('abc\ud83d')).toEqual(ucs2(4, 1, 70));
    expect(segmentSms('\udc00' + 'a'.repeat(69))).toEqual(ucs2(70, 1, 70));
  });
});

describe('segmentSms properties', () => {
  const basicOnly = basicCharacters.filter((c) => !GSM_EXTENSION.includes(c));
  const textOf = (characters: string[], maxLength: number) =>
    fc.array(fc.constantFrom(...characters), { maxLength }).map((a) => a.join(''));

  it('text of one-septet characters: 1 part up to 160, else ceil(n / 153)', () => {
    fc.assert(
      fc.property(textOf(basicOnly, 1700), (text) => {
        const n = text.length;
        expect(segmentSms(text)).toEqual(n <= 160 ? gsm(n, 1, 160) : gsm(n, Math.ceil(n / 153), 153));
      }),
    );
  });

  it('BMP text that is not GSM: 1 part up to 70 units, else ceil(n / 67)', () => {
    const bmpNonGsm = fc
      .integer({ min: 0x80, max: 0xffff })
      .filter((c) => (c < 0xd800 || c > 0xdfff) && !gsmCharacters.includes(String.fromCharCode(c)))
      .map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(fc.array(bmpNonGsm, { minLength: 1, maxLength: 750 }), (characters) => {
        const text = characters.join('');
        const n = text.length;
        expect(segmentSms(text)).toEqual(n <= 70 ? ucs2(n, 1, 70) : ucs2(n, Math.ceil(n / 67), 67));
      }),
    );
  });

  it('any GSM text: septets add up, and the walk never needs fewer parts than ceil(n / 153)', () => {
    fc.assert(
      fc.property(textOf(gsmCharacters, 900), (text) => {
        const result = segmentSms(text);
        const septets = [...text].reduce((sum, c) => sum + (GSM_EXTENSION.includes(c) ? 2 : 1), 0);
        expect(result.encoding).toBe('GSM-7');
        expect(result.units).toBe(septets);
        if (septets <= 160) expect(result.parts).toBe(1);
        else {
          expect(result.parts).toBeGreaterThanOrEqual(Math.ceil(septets / 153));
          // Each part loses at most one septet to an escape that did not fit.
          expect(result.parts).toBeLessThanOrEqual(Math.ceil(septets / 152));
        }
      }),
    );
  });
});

describe('smartEncode', () => {
  it.each([
    ['curly double quotes', '\u201cHello\u201d', '"Hello"', 2],
    ['German quotes', '\u201eJa\u201c', '"Ja"', 2],
    ['guillemets', '\u00abOui\u00bb', '"Oui"', 2],
    ['a curly apostrophe', 'Can\u2019t wait', "Can't wait", 1],
    ['curly single quotes', '\u2018yes\u2019', "'yes'", 2],
    ['a grave accent used as a quote', '`ls`', "'ls'", 2],
    ['an en dash', '9\u201317', '9-17', 1],
    ['an em dash', 'so\u2014then', 'so-then', 1],
    ['a minus sign', '\u22125 C', '-5 C', 1],
    ['an ellipsis, which grows by two', 'Wait\u2026', 'Wait...', 1],
    ['a no-break space', '10\u00a0km', '10 km', 1],
    ['a narrow no-break space', '9:41\u202fAM', '9:41 AM', 1],
    ['an em space and a thin space', 'a\u2003b\u2009c', 'a b c', 2],
    ['an ideographic space', 'a\u3000b', 'a b', 1],
    ['a tab', 'a\tb', 'a b', 1],
    ['a line separator', 'a\u2028b', 'a\nb', 1],
    ['a zero-width space, removed', 'ab\u200bc', 'abc', 1],
    ['a soft hyphen, removed', 'hy\u00adphen', 'hyphen', 1],
    ['a byte order mark, removed', '\ufeffHi', 'Hi', 1],
    ['the ohm sign', '10 k\u2126', '10 k\u03a9', 1],
    ['the increment sign', '\u2206T', '\u0394T', 1],
    ['Greek capitals drawn like Latin ones', '\u0391\u0398\u0397\u039d\u0391', 'A\u0398HNA', 4],
  ])('%s', (_, input, output, replaced) => {
    expect(smartEncode(input)).toEqual({ text: output, replaced });
    expect(segmentSms(output).encoding).toBe('GSM-7');
  });

  it('a typical pasted message becomes GSM-7 and fits one part again', () => {
    const pasted = `\u201cYour order\u2019s ready\u201d \u2014 pick it up 9\u201317h\u2026 Thanks!`.padEnd(150, '.');
    expect(segmentSms(pasted)).toEqual(ucs2(150, 3, 67));
    const { text, replaced } = smartEncode(pasted);
    expect(replaced).toBe(6);
    expect(text).toBe(`"Your order's ready" - pick it up 9-17h... Thanks!`.padEnd(152, '.'));
    expect(segmentSms(text)).toEqual(gsm(152, 1, 160));
  });

  it('leaves emoji, CJK, accented letters without a GSM twin and joiners alone', () => {
    const family = '\u{1f468}\u200d\u{1f469}\u200d\u{1f467}'; // joined by zero-width joiners
    const input = `\u201c${family}\u201d \u4f60\u597d \u00e7a va\u2026 \u00e1 \u2022`;
    expect(smartEncode(input)).toEqual({ text: `"${family}" \u4f60\u597d \u00e7a va... \u00e1 \u2022`, replaced: 3 });
    expect(segmentSms(smartEncode(input).text).encoding).toBe('UCS-2');
  });

  it('leaves the empty string and plain ASCII alone', () => {
    expect(smartEncode('')).toEqual({ text: '', replaced: 0 });
    expect(smartEncode('Hello, world! {ok} [1] ~2 ^3 | \\ 100\u20ac')).toEqual({
      text: 'Hello, world! {ok} [1] ~2 ^3 | \\ 100\u20ac',
      replaced: 0,
    });
  });

  it('the table: every look-alike is non-GSM, every replacement is GSM-7', () => {
    expect(LOOK_ALIKES.size).toBeGreaterThan(50);
    for (const [lookAlike, replacement] of LOOK_ALIKES) {
      expect([...lookAlike], `U+${lookAlike.codePointAt(0)!.toString(16)}`).toHaveLength(1);
      expect(segmentSms(lookAlike).encoding, `U+${lookAlike.codePointAt(0)!.toString(16)}`).toBe('UCS-2');
      expect(segmentSms(replacement).encoding, JSON.stringify(replacement)).toBe('GSM-7');
    }
  });

  describe('properties', () => {
    const lookAlikes = [...LOOK_ALIKES.keys()];
    const gsmOrLookAlike = fc.oneof(fc.constantFrom(...gsmCharacters), fc.constantFrom(...lookAlikes));

    it('text of GSM characters and look-alikes is GSM-7 after smartEncode, each look-alike counted', () => {
      fc.assert(
        fc.property(fc.array(gsmOrLookAlike, { maxLength: 300 }), (characters) => {
          const { text, replaced } = smartEncode(characters.join(''));
          expect(segmentSms(text).encoding).toBe('GSM-7');
          expect(replaced).toBe(characters.filter((c) => LOOK_ALIKES.has(c)).length);
        }),
      );
    });

    it('never changes text that is already all GSM', () => {
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...gsmCharacters), { maxLength: 300 }), (characters) => {
          const text = characters.join('');
          expect(smartEncode(text)).toEqual({ text, replaced: 0 });
        }),
      );
    });

    it('on any text: a second pass replaces nothing, and text without look-alikes is unchanged', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (input) => {
          const once = smartEncode(input);
          expect(smartEncode(once.text)).toEqual({ text: once.text, replaced: 0 });
          if (once.replaced === 0) expect(once.text).toBe(input);
        }),
      );
    });
  });
});
