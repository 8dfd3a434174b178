// The outer shape every Telnyx webhook shares:
//   { data: { record_type: "event", id, event_type, occurred_at, payload }, meta?: { attempt, delivered_to } }
// data.id is the event id and stays the same across Telnyx's retries, which makes it the key for
// dropping duplicates.

export interface WebhookEnvelope {
  id: string;
  eventType: string;
  occurredAt: string | undefined;
  payload: Record<string, unknown>;
  attempt: number | undefined;
}

/** The envelope of a verified body, or undefined when the body is not a Telnyx event at all. */
export function parseEnvelope(text: string | undefined): WebhookEnvelope | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const data = (parsed as { data?: unknown } | null)?.data as Record<string, unknown> | undefined;
  if (typeof data !== 'object' || data === null) return undefined;
  const { id, event_type: eventType, occurred_at: occurredAt, payload } = data;
  if (typeof id !== 'string' || id === '' || typeof eventType !== 'string' || eventType === '') return undefined;
  const attempt = (parsed as { meta?: { attempt?: unknown } }).meta?.attempt;
  return {
    id,
    eventType,
    occurredAt: typeof occurredAt === 'string' ? occurredAt : undefined,
    payload: typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {},
    attempt: typeof attempt === 'number' ? attempt : undefined,
  };
}
