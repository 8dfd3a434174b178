// Opt-out, opt-in and help keywords (shared/keywords): RELIABILITY.md rows 17 and 18. Telnyx's STOP
// words and the FCC's "reasonable means" ("revoke", "opt out", "stop please") in any case, spacing,
// punctuation, fullwidth or styled letters and with emoji around; START/UNSTOP and HELP/INFO;
// polite filler before and after; sentences that merely contain a keyword are not keywords; the
// families never overlap; normalisation; property tests on case/whitespace/punctuation variants,
// filler, and random sentences with "stop" in the middle.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FILLER_WORDS,
  HELP_KEYWORDS,
  MAX_KEYWORD_WORDS,
  START_KEYWORDS,
  STOP_KEYWORDS,
  TELNYX_STOP_KEYWORDS,
  keywordOf,
  normalizeKeywordText,
  type Keyword,
} from '../../shared/keywords';

const families: [Keyword, readonly string[]][] = [
  ['stop', STOP_KEYWORDS],
  ['start', START_KEYWORDS],
  ['help', HELP_KEYWORDS],
];

/** Every word that appears in a keyword phrase or a filler phrase. */
const vocabulary = new Set(
  [...STOP_KEYWORDS, ...START_KEYWORDS, ...HELP_KEYWORDS, ...FILLER_WORDS].flatMap((p) => p.split(' ')),
);

describe('STOP: RELIABILITY row 17', () => {
  it.each([
    // The row's own examples.
    'stop',
    ' Stop ',
    'STOP ALL',
    'unsubscribe',
    'quit.',
    'Stop please',
    'revoke',
    // Telnyx's other words.
    'STOPALL',
    'StopAll',
    'Cancel',
    'END',
    'Quit!',
    'UNSUBSCRIBE.',
    // FCC 24-24 reasonable means.
    'opt out',
    'Opt-Out',
    'OPT OUT!',
    'optout',
    'remove me',
    'Remove me please',
    'stop texting',
    'Stop texting me',
    'STOP MESSAGING',
    'Stop messaging me now',
    'REVOKE.',
    // Filler before and after, and repeats.
    'please stop',
    'Stop now thanks',
    'stop, thank you',
    'Stop it',
    'Stop all messages',
    'stop texts pls',
    'End it now',
    'cancel please',
    'stop stop',
    'STOP STOP STOP',
    'stop. unsubscribe.',
    // Spacing, punctuation and symbols.
    '\tstop\n',
    'STOP!!!',
    '"stop"',
    '(stop)',
    '...stop...',
    'STOP\u00a0ALL',
    'stop\u3000all',
    '  stop   please  ',
    // Other forms of the same letters, emoji and invisible characters.
    'ＳＴＯＰ',
    'ｓｔｏｐ　ａｌｌ',
    '𝐒𝐓𝐎𝐏',
    'Ⓢⓣⓞⓟ',
    'STOP 🙏',
    '🛑 STOP 🛑',
    'stop👍',
    'stop ❤️',
    '\ufeffstop',
    'st\u00adop',
    'sto\u200bp',
  ])('%j opts out', (text) => {
    expect(keywordOf(text)).toBe('stop');
  });

  it('opts out on every listed phrase alone', () => {
    for (const phrase of STOP_KEYWORDS) expect(keywordOf(phrase), phrase).toBe('stop');
    for (const phrase of STOP_KEYWORDS) expect(keywordOf(phrase.toUpperCase()), phrase).toBe('stop');
  });

  it('lists Telnyx words and the FCC phrases, normalised', () => {
    expect(TELNYX_STOP_KEYWORDS).toEqual(['stop', 'stopall', 'stop all', 'unsubscribe', 'cancel', 'end', 'quit']);
    for (const word of TELNYX_STOP_KEYWORDS) expect(STOP_KEYWORDS).toContain(word);
    for (const phrase of ['revoke', 'opt out', 'optout', 'remove me', 'stop texting', 'stop messaging']) {
      expect(STOP_KEYWORDS).toContain(phrase);
    }
    for (const phrase of [...STOP_KEYWORDS, ...START_KEYWORDS, ...HELP_KEYWORDS, ...FILLER_WORDS]) {
      expect(normalizeKeywordText(phrase)).toBe(phrase);
    }
  });
});

describe('START and HELP: RELIABILITY row 18', () => {
  it.each([
    ['start', 'start'],
    ['START', 'start'],
    ['Start.', 'start'],
    ['unstop', 'start'],
    ['UNSTOP', 'start'],
    ['subscribe', 'start'],
    ['Resume', 'start'],
    ['start please', 'start'],
    ['START texts now', 'start'],
    ['ＳＴＡＲＴ', 'start'],
    ['help', 'help'],
    ['HELP', 'help'],
    ['Help?', 'help'],
    ['help me', 'help'],
    ['help please', 'help'],
    ['info', 'help'],
    ['INFO', 'help'],
    ['info?', 'help'],
    ['Info please', 'help'],
    ['ＨＥＬＰ', 'help'],
    ['HELP 🙏', 'help'],
  ] as const)('%j is %s', (text, keyword) => {
    expect(keywordOf(text)).toBe(keyword);
  });

  it('reads every listed phrase as its family', () => {
    for (const [keyword, phrases] of families) {
      for (const phrase of phrases) expect(keywordOf(phrase), phrase).toBe(keyword);
    }
  });

  it('does not take YES as an opt-in', () => {
    expect(START_KEYWORDS).not.toContain('yes');
    expect(keywordOf('yes')).toBeUndefined();
    expect(keywordOf('YES')).toBeUndefined();
  });
});

describe('not a keyword', () => {
  it.each([
    // Sentences that contain a keyword.
    "don't stop the music",
    'I will stop by later',
    'Stop by the store on your way',
    'cancel my appointment',
    'Can I cancel my order?',
    'the end',
    'END of the day works for me',
    'start the car',
    'Can you help me with my order?',
    'I need info about my bill',
    'please stop by',
    'stop sending me those photos of your cat',
    // Words that merely begin or end like one.
    'stopping',
    'stopped',
    'unstoppable',
    'helpful',
    'information',
    'starter',
    'quitting',
    'remove',
    'opt',
    'top',
    'st0p',
    's t o p',
    'sto p',
    // START and HELP together are not guessed at (with STOP in them, STOP wins: see below).
    'start help',
    // No keyword at all.
    'yes',
    'y',
    'ok',
    'please',
    'thanks',
    'thank you',
    'all',
    'me',
    'hello',
    'стоп',
    '',
    '   ',
    '?!',
    '🙏',
    '\u200b',
  ])('%j', (text) => {
    expect(keywordOf(text)).toBeUndefined();
  });

  it('reads undefined (a media-only message) as no keyword', () => {
    expect(keywordOf(undefined)).toBeUndefined();
  });

  it(`stops reading after ${MAX_KEYWORD_WORDS} words`, () => {
    const words = (n: number) => ['stop', ...Array<string>(n - 1).fill('please')].join(' ');
    expect(keywordOf(words(MAX_KEYWORD_WORDS))).toBe('stop');
    expect(keywordOf(words(MAX_KEYWORD_WORDS + 1))).toBeUndefined();
    expect(keywordOf('stop ' + 'x'.repeat(100_000))).toBeUndefined();
  });
});

describe('precedence STOP > START > HELP', () => {
  it('keeps the families apart, so no message can belong to two', () => {
    const wordsOf = (phrases: readonly string[]) => new Set(phrases.flatMap((p) => p.split(' ')));
    const fillers = wordsOf(FILLER_WORDS);
    const stop = new Set([...wordsOf(STOP_KEYWORDS)].filter((w) => !fillers.has(w)));
    const start = wordsOf(START_KEYWORDS);
    const help = wordsOf(HELP_KEYWORDS);
    for (const [a, b] of [
      [stop, start],
      [stop, help],
      [start, help],
    ]) {
      for (const word of a!) expect(b!.has(word), word).toBe(false);
    }
    // Every START and HELP phrase has a word that is not filler, and so does every STOP phrase.
    for (const phrase of [...STOP_KEYWORDS, ...START_KEYWORDS, ...HELP_KEYWORDS]) {
      expect(
        phrase.split(' ').some((word) => !fillers.has(word)),
        phrase,
      ).toBe(true);
    }
  });
});

describe('normalizeKeywordText', () => {
  it.each([
    ['  STOP  ', 'stop'],
    ['Opt-Out!', 'opt out'],
    ['quit.', 'quit'],
    ['STOP 🙏', 'stop'],
    ['ＳＴＯＰ　ＡＬＬ', 'stop all'],
    ['𝐒𝐓𝐎𝐏', 'stop'],
    ['Stop,\n\tplease!!', 'stop please'],
    ["don't", 'don t'],
    ['st\u00adop', 'stop'],
    ['e\u0301nd', 'énd'],
    ['', ''],
    ['!?', ''],
  ])('%j -> %j', (text, normalized) => {
    expect(normalizeKeywordText(text)).toBe(normalized);
  });
});

describe('keywordOf properties', () => {
  const anyPhrase = fc.constantFrom(
    ...families.flatMap(([keyword, phrases]) => phrases.map((p) => [keyword, p] as const)),
  );
  const space = fc.constantFrom(' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u3000', ' - ', '-', '. ', ', ', '_');
  const edge = fc.array(
    fc.constantFrom(' ', '\t', '\n', '.', '!', '?', '...', '"', "'", '(', ')', '*', '🙏', '👍', '🛑'),
    {
      maxLength: 4,
    },
  );
  /** Upper or lower case per letter, sometimes fullwidth. */
  const restyle = (text: string, cases: boolean[], wide: boolean) =>
    [...text]
      .map((char, i) => {
        const cased = cases[i % cases.length] ? char.toUpperCase() : char;
        return wide && /[a-zA-Z]/.test(cased) ? String.fromCharCode(cased.charCodeAt(0) + 0xfee0) : cased;
      })
      .join('');

  it('keeps the class of a keyword through any case, spacing and punctuation', () => {
    fc.assert(
      fc.property(
        anyPhrase,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }),
        fc.boolean(),
        space,
        edge.map((a) => a.join('')),
        edge.map((a) => a.join('')),
        ([keyword, phrase], cases, wide, between, before, after) => {
          const text = before + restyle(phrase.split(' ').join(between), cases, wide) + after;
          expect(keywordOf(text)).toBe(keyword);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('keeps the class with polite filler before and after', () => {
    fc.assert(
      fc.property(
        anyPhrase,
        fc.array(fc.constantFrom(...FILLER_WORDS), { maxLength: 3 }),
        fc.array(fc.constantFrom(...FILLER_WORDS), { maxLength: 3 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        ([keyword, phrase], before, after, cases) => {
          const text = restyle([...before, phrase, ...after].join(' '), cases, false);
          expect(keywordOf(text)).toBe(keyword);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('does not read a sentence of 4+ other words with a STOP word in the middle as an opt-out', () => {
    const word = fc.stringMatching(/^[a-z]{1,10}$/).filter((w) => !vocabulary.has(w));
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(...STOP_KEYWORDS),
        fc.array(word, { minLength: 1, maxLength: 5 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        (before, stop, after, cases) => {
          fc.pre(before.length + after.length >= 4);
          const text = restyle([...before, stop, ...after].join(' '), cases, false) + '.';
          expect(keywordOf(text)).toBeUndefined();
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('reads a message made of two families as STOP when one of them is STOP, else as neither', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...families),
        fc.constantFrom(...families),
        fc.array(fc.constantFrom(...FILLER_WORDS), { maxLength: 2 }),
        fc.boolean(),
        ([a, phrasesA], [b, phrasesB], fillers, swap) => {
          fc.pre(a !== b);
          const pair = [phrasesA[0]!, phrasesB[phrasesB.length - 1]!];
          if (swap) pair.reverse();
          const expected = a === 'stop' || b === 'stop' ? 'stop' : undefined;
          expect(keywordOf([...pair, ...fillers].join(' '))).toBe(expected);
        },
      ),
    );
  });

  it.each(['stop start', 'start stop', 'help stop', 'stop info', 'STOP, help!'])(
    '%j opts out: when in doubt, a STOP word is honoured',
    (text) => {
      expect(keywordOf(text)).toBe('stop');
    },
  );

  it('never throws, and answers one of the three families or undefined', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (text) => {
        expect([undefined, 'stop', 'start', 'help']).toContain(keywordOf(text));
      }),
      { numRuns: 500 },
    );
  });
});
