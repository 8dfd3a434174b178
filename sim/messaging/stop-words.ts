// Telnyx's own opt-out keywords for a messaging profile: the whole message, in any case, trimmed.
// (The bundle understands far more ways of saying stop; the simulator imitates Telnyx.)

const STOP = new Set(['STOP', 'STOPALL', 'STOP ALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const START = new Set(['START', 'UNSTOP']);

export function keywordOf(text: string | undefined): 'stop' | 'start' | undefined {
  const word = (text ?? '').trim().replace(/\s+/g, ' ').toUpperCase();
  if (STOP.has(word)) return 'stop';
  if (START.has(word)) return 'start';
  return undefined;
}
