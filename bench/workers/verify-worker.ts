// Runs inside workerd for `npm run bench`: GET /?engine=webcrypto|noble&n=N verifies the same
// signed 1 KB webhook N times with the edge's own verifier. Time inside a Worker only moves on I/O,
// so the caller times whole requests and subtracts an n=0 request. tweetnacl signs: a signer that is
// neither of the two verifiers.
import nacl from 'tweetnacl';
import { encodeBase64 } from '../../shared/base64';
import { verifyWebhookSignature } from '../../shared/webhooks/signature';

const encoder = new TextEncoder();
const keyPair = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(42));
const timestamp = '1763900000';
// A message.received event padded to exactly 1,024 bytes, as Telnyx would send it.
const template = (padding: string) =>
  JSON.stringify({
    data: {
      event_type: 'message.received',
      id: 'b301ed3f-1490-491f-995f-6e64e69674d4',
      occurred_at: '2026-11-23T18:10:02.574+00:00',
      payload: {
        direction: 'inbound',
        from: { carrier: 'T-Mobile USA', line_type: 'Wireless', phone_number: '+13125550001' },
        to: [{ phone_number: '+13125550100', status: 'webhook_delivered' }],
        text: padding,
        type: 'SMS',
      },
      record_type: 'event',
    },
    meta: { attempt: 1, delivered_to: 'https://edge.example.com/webhooks/messaging' },
  });
const body = encoder.encode(template('x'.repeat(1024 - template('').length)));
const message = new Uint8Array([...encoder.encode(`${timestamp}|`), ...body]);
const signature = encodeBase64(nacl.sign.detached(message, keyPair.secretKey));

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const engine = url.searchParams.get('engine') === 'noble' ? 'noble' : 'webcrypto';
    const n = Number(url.searchParams.get('n') ?? '0');
    for (let i = 0; i < n; i++) {
      await verifyWebhookSignature(
        { timestamp, signature, rawBody: body },
        { keys: [keyPair.publicKey], toleranceSeconds: 300, nowSeconds: Number(timestamp), engine },
      );
    }
    return Response.json({ engine, n, bodyBytes: body.length });
  },
};
