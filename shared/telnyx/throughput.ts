// Telnyx's sending rates (TELNYX-FACTS.md), in message parts per second: what each type of number
// may send, and what the account may send in all. Both the bundle (to queue before Telnyx does)
// and the simulator (to queue as Telnyx does) use these defaults; each can override them.

export type NumberType = 'long-code' | 'toll-free' | 'short-code';

export const ACCOUNT_MPS = { sms: 50, mms: 15 } as const;

/** The rate a number of `type` sends at towards a destination with `destinationCallingCode`. */
export function defaultMps(type: NumberType, destinationCallingCode: string): number {
  switch (type) {
    case 'short-code':
      return 1000;
    case 'toll-free':
      return 20;
    case 'long-code':
      // 10DLC to the US and Canada is set by the campaign; AT&T's class A/B allows 4,500 a minute.
      // To other countries a long code sends 0.1 a second.
      return destinationCallingCode === '1' ? 75 : 0.1;
  }
}
