// Opt-out, opt-in and help keywords in inbound messages: which of STOP, START or HELP a message
// means, if any.
//
// Telnyx blocks a messaging profile for a recipient on its own STOP words and lifts the block on
// START/UNSTOP; the FCC's 24-24 rules (April 2025) add that consent may be revoked "by any
// reasonable means", so the edge also honours the common phrasings Telnyx does not match
// ("revoke", "opt out", "stop please"). CTIA requires STOP and HELP to be answered even for
// someone who never subscribed.
//
// How a message is read:
//   1. Normalise: Unicode NFKC (fullwidth "ＳＴＯＰ", circled and mathematical letters become plain
//      letters), lower case, delete invisible characters (combining marks left after NFKC, format
//      characters such as zero-width spaces and soft hyphens, emoji variation selectors), turn every
//      other character that is not a letter or digit (punctuation, symbols, emoji, whitespace) into
//      a space, collapse spaces, trim. "Opt-Out!" becomes "opt out", "STOP 🙏" becomes "stop".
//   2. Split into words. The message is a keyword of a family when it is made only of that family's
//      keyword phrases and the filler words below, with at least one keyword phrase: "stop",
//      "Stop please", "please stop", "STOP ALL", "quit.", "Stop now thanks", "stop stop".
//   3. Anything else is not a keyword, even when it contains one: "don't stop the music", "I will
//      stop by later", "cancel my appointment", "the end". The edge favours not over-reading a
//      sentence, while any one of the keywords alone (in any case, spacing or punctuation) always
//      counts.
//   4. A message of keywords from several families opts out when one of them is a STOP phrase
//      ("stop help", "START STOP"): when in doubt, the person has said stop. START and HELP
//      together ("start help") match no family and are not guessed at.
//
// | Family | Keyword phrases (after normalising)                                      | Source        |
// | ------ | ------------------------------------------------------------------------ | ------------- |
// | STOP   | stop, stopall, stop all, unsubscribe, cancel, end, quit                  | Telnyx        |
// | STOP   | revoke, opt out ("opt-out"), optout, remove me, stop texting,            | FCC 24-24     |
// |        | stop messaging                                                           | "reasonable"  |
// | START  | start, unstop                                                            | Telnyx        |
// | START  | subscribe, resume                                                        | CTIA practice |
// | HELP   | help, info                                                               | CTIA          |
// | filler | please, pls, plz, now, thanks, thank you, all, messages, texts, texting,  | any family    |
// |        | it, me                                                                   |               |
//
// "yes" is deliberately not a START keyword: programs ask for YES to confirm many things
// (appointments, double opt-in of a particular campaign), and reading a bare YES as lifting an
// opt-out would re-subscribe someone who never asked to be. Messages of more than
// MAX_KEYWORD_WORDS words are never keywords, which bounds the work on long messages.

export type Keyword = 'stop' | 'start' | 'help';

/** Telnyx's own STOP words: on these Telnyx itself blocks the profile for the sender. */
export const TELNYX_STOP_KEYWORDS: readonly string[] = [
  'stop',
  'stopall',
  'stop all',
  'unsubscribe',
  'cancel',
  'end',
  'quit',
];

/** Every opt-out phrase, normalised: Telnyx's words plus the FCC's "reasonable means". */
export const STOP_KEYWORDS: readonly string[] = [
  ...TELNYX_STOP_KEYWORDS,
  'revoke',
  'opt out',
  'optout',
  'remove me',
  'stop texting',
  'stop messaging',
];

/** Opt-in phrases, normalised. START and UNSTOP are Telnyx's; YES is left out (see above). */
export const START_KEYWORDS: readonly string[] = ['start', 'unstop', 'subscribe', 'resume'];

export const HELP_KEYWORDS: readonly string[] = ['help', 'info'];

/** Polite filler that may come before or after a keyword without changing what it means. */
export const FILLER_WORDS: readonly string[] = [
  'please',
  'pls',
  'plz',
  'now',
  'thanks',
  'thank you',
  'all',
  'messages',
  'texts',
  'texting',
  'it',
  'me',
];

/** Longer messages are sentences, not keywords; this also bounds the parse below. */
export const MAX_KEYWORD_WORDS = 20;

/** Step 1 of the header: what a message looks like once case, punctuation and symbols are gone. */
export function normalizeKeywordText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{M}\p{Cf}]+/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const words = (phrase: string) => phrase.split(' ');
const FILLERS = FILLER_WORDS.map(words);
const FAMILIES: [Keyword, string[][]][] = [
  ['stop', STOP_KEYWORDS.map(words)],
  ['start', START_KEYWORDS.map(words)],
  ['help', HELP_KEYWORDS.map(words)],
];

/** True when `tokens` at `at` begin with `phrase`. */
function startsWith(tokens: string[], at: number, phrase: string[]): boolean {
  return phrase.every((word, i) => tokens[at + i] === word);
}

/**
 * True when `tokens` can be cut into keyword phrases and filler phrases, with at least one keyword.
 * reached[i] says how far a parse of tokens[0..i) got: 0 not at all, 1 with filler only, 2 with a
 * keyword. Multi-word phrases ("remove me", "thank you") make a simple strip-the-ends loop wrong.
 */
function isMadeOf(tokens: string[], keywords: string[][], fillers: string[][] = FILLERS): boolean {
  const reached = new Array<number>(tokens.length + 1).fill(0);
  reached[0] = 1;
  for (let at = 0; at < tokens.length; at++) {
    const here = reached[at]!;
    if (here === 0) continue;
    for (const phrase of keywords) {
      if (startsWith(tokens, at, phrase)) reached[at + phrase.length] = 2;
    }
    for (const phrase of fillers) {
      const end = at + phrase.length;
      if (startsWith(tokens, at, phrase)) reached[end] = Math.max(reached[end]!, here);
    }
  }
  return reached[tokens.length] === 2;
}

/** The keyword family an inbound message belongs to, or undefined for an ordinary message. */
export function keywordOf(text: string | undefined): Keyword | undefined {
  if (text === undefined) return undefined;
  const normalized = normalizeKeywordText(text);
  if (normalized === '') return undefined;
  const tokens = normalized.split(' ');
  if (tokens.length > MAX_KEYWORD_WORDS) return undefined;
  // A STOP phrase wins over any START or HELP words beside it ("stop help"): when in doubt, the
  // person is treated as having opted out.
  const others = [...FAMILIES[1]![1], ...FAMILIES[2]![1]];
  if (isMadeOf(tokens, FAMILIES[0]![1], [...FILLERS, ...others])) return 'stop';
  // FAMILIES is in precedence order: STOP, then START, then HELP.
  return FAMILIES.find(([, keywords]) => isMadeOf(tokens, keywords))?.[0];
}
