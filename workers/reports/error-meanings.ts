// What Telnyx's messaging error codes mean, in a line a business reader understands. A record
// that kept Telnyx's own title for the code (messages.error_title) is shown with that title; this
// table covers records without one. The codes are TELNYX-FACTS.md's; the edge's own codes (10007:
// an outcome never confirmed) are included because the edge writes them into records too.

const MEANINGS: Readonly<Record<string, string>> = {
  '10007': 'Telnyx never confirmed the send; it was not resent',
  '40001': 'Landline or otherwise not routable for messages',
  '40002': 'Blocked as spam by a carrier (temporary)',
  '40003': 'Blocked as spam by a carrier (permanent)',
  '40004': 'Rejected by the destination',
  '40005': 'Expired before it could be delivered',
  '40006': "The recipient's carrier was unavailable",
  '40008': 'Undeliverable',
  '40009': 'Invalid message body',
  '40011': 'Too many messages: an upstream rate limit',
  '40012': 'Invalid destination number',
  '40013': 'Invalid source number',
  '40014': 'Expired while waiting in the queue',
  '40015': "Blocked by Telnyx's spam filter",
  '40300': 'The recipient has opted out (STOP)',
  '40318': 'The sending queue was full (more than 4 hours of messages)',
};

export function failureMeaning(code: string, titleFromTelnyx: string | null): string {
  if (titleFromTelnyx !== null && titleFromTelnyx.trim() !== '') return titleFromTelnyx.trim();
  return MEANINGS[code] ?? (code === 'unknown' ? 'No error code was given' : `Telnyx error ${code}`);
}
