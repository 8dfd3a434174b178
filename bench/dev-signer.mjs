// Signs webhooks as Telnyx would, with the simulator's development key (sim/wrangler.toml), which
// `npm run dev` makes the bundle trust: the benchmarks post events straight to the bundle.
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export /** The simulator's development signing key (sim/wrangler.toml), as Telnyx's key would sign. */
function devSigner(root) {
  const toml = readFileSync(path.join(root, 'sim', 'wrangler.toml'), 'utf8');
  const seed = Buffer.from(/SIM_SIGNING_KEY = "([^"]+)"/.exec(toml)[1], 'base64');
  const key = crypto.createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  });
  return (body) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = crypto.sign(null, Buffer.from(`${timestamp}|${body}`), key).toString('base64');
    return { 'content-type': 'application/json', 'telnyx-timestamp': timestamp, 'telnyx-signature-ed25519': signature };
  };
}
