// What happens to an outbound message, decided by its destination number alone so that tests and
// people can pick an outcome by picking a number. The table is documented in sim/README.md.
//
// The last two digits of the destination decide; anything not listed is delivered.

export type FinalStatus = 'delivered' | 'delivery_failed' | 'delivery_unconfirmed' | 'sending_failed';

export interface Outcome {
  status: FinalStatus;
  /** Telnyx's carrier error, for the failures. */
  error?: { code: string; title: string; detail: string };
  /** Counts against the sending number's health as a spam-type failure (Telnyx: spam ratio). */
  spam: boolean;
}

const failure = (status: FinalStatus, code: string, title: string, detail: string, spam = false): Outcome => ({
  status,
  error: { code, title, detail },
  spam,
});

/** Keyed by the last two digits of the destination. */
export const OUTCOME_TABLE: Readonly<Record<string, Outcome>> = {
  '90': failure('delivery_failed', '40001', 'Not routable', 'The destination is a landline or a non-routable number.'),
  '91': failure(
    'delivery_failed',
    '40002',
    'Blocked as spam - temporary',
    'A carrier spam filter blocked the message.',
    true,
  ),
  '92': failure(
    'delivery_failed',
    '40003',
    'Blocked as spam - permanent',
    'The sending number is blocked by the carrier.',
    true,
  ),
  '93': failure('delivery_failed', '40006', 'Recipient server unavailable', 'The recipient carrier is not responding.'),
  '94': failure('delivery_failed', '40008', 'Undeliverable', 'The recipient carrier did not accept the message.'),
  '95': failure(
    'delivery_failed',
    '40012',
    'Invalid destination number',
    'The carrier rejected the destination number.',
  ),
  '96': { status: 'delivery_unconfirmed', spam: false },
  '97': failure('sending_failed', '40013', 'Invalid source number', 'The carrier rejected the sending number.'),
  '98': failure('delivery_failed', '40005', 'Message expired', 'The message expired before it could be delivered.'),
  '99': failure('delivery_failed', '40015', 'Internal spam filter', "Telnyx's spam filter blocked the message.", true),
};

const DELIVERED: Outcome = { status: 'delivered', spam: false };

export function outcomeFor(destination: string): Outcome {
  return OUTCOME_TABLE[destination.slice(-2)] ?? DELIVERED;
}
