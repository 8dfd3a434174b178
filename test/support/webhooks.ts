// Signing webhooks as Telnyx does, for tests: Ed25519 (tweetnacl) over `${timestamp}|${body}`.
import nacl from 'tweetnacl';
import { telnyxKey, toBase64 } from './keys';

const encoder = new TextEncoder();

export interface SignOptions {
  secretKey?: Uint8Array;
  /** Unix seconds, as a string so tests can send malformed values. */
  timestamp?: string;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The telnyx-signature-ed25519 value for `body` signed at `timestamp`. */
export function signatureFor(body: string | Uint8Array, timestamp: string, secretKey = telnyxKey.secretKey): string {
  const bodyBytes = typeof body === 'string' ? encoder.encode(body) : body;
  const prefix = encoder.encode(`${timestamp}|`);
  const message = new Uint8Array(prefix.length + bodyBytes.length);
  message.set(prefix);
  message.set(bodyBytes, prefix.length);
  return toBase64(nacl.sign.detached(message, secretKey));
}

/** Headers of a genuine Telnyx delivery of `body`. */
export function signedHeaders(body: string | Uint8Array, options: SignOptions = {}): Record<string, string> {
  const timestamp = options.timestamp ?? String(nowSeconds());
  return {
    'content-type': 'application/json',
    'telnyx-timestamp': timestamp,
    'telnyx-signature-ed25519': signatureFor(body, timestamp, options.secretKey),
  };
}

/** A realistic message.received event body (about 1 KB). */
export function sampleEvent(id = 'b301ed3f-1490-491f-995f-6e64e69674d4'): string {
  return JSON.stringify({
    data: {
      event_type: 'message.received',
      id,
      occurred_at: '2026-11-23T18:10:02.574+00:00',
      payload: {
        cc: [],
        completed_at: null,
        cost: null,
        direction: 'inbound',
        encoding: 'GSM-7',
        errors: [],
        from: { carrier: 'T-Mobile USA', line_type: 'Wireless', phone_number: '+13125550001' },
        id: '84cca175-9755-4859-b67f-4730d7f58aa3',
        media: [],
        messaging_profile_id: '740572b6-099c-44a1-89b9-6c92163bc68d',
        organization_id: '47a530f8-4362-4526-829b-bcee17fd9f7a',
        parts: 1,
        received_at: '2026-11-23T18:10:02.382+00:00',
        record_type: 'message',
        sent_at: null,
        subject: '',
        tags: [],
        text: 'Hello from Telnyx!',
        to: [{ carrier: 'Telnyx', line_type: 'Wireless', phone_number: '+13125550100', status: 'webhook_delivered' }],
        type: 'SMS',
        valid_until: null,
        webhook_failover_url: null,
        webhook_url: 'https://edge.example.com/webhooks/messaging',
      },
      record_type: 'event',
    },
    meta: { attempt: 1, delivered_to: 'https://edge.example.com/webhooks/messaging' },
  });
}
