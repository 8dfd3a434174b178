#!/usr/bin/env node
// npm run dev: the Telnyx simulator on 127.0.0.1:8788 and the bundle on 127.0.0.1:8787, wired to
// each other (the bundle calls the simulator as TELNYX_API_BASE and trusts its signing key; the
// simulator's webhooks go to the bundle), offline and with no account. Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_ADMIN_TOKEN, EDGE_PORT, EDGE_URL, SIM_PORT, SIM_URL, devSecrets } from './dev-settings.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const children = [];
let stopping = false;

// wrangler dev compares worker-configuration.d.ts with types it makes without the secret names
// (it does not read .dev.vars.example), so it always says they "might be out of date". They are
// checked properly by `npm run check`; the misleading line is dropped here.
const MISLEADING = /Your types might be out of date/;

function forwardOutput(stream, prefix) {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop();
    for (const line of lines) if (!MISLEADING.test(line)) process.stdout.write(`${prefix}${line}\n`);
  });
  stream.on('end', () => pending && process.stdout.write(`${prefix}${pending}\n`));
}

function start(name, prefix, args) {
  // Each child leads its own process group, so stopping it also stops the workerd it spawned.
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'quiet.mjs'), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  forwardOutput(child.stdout, prefix);
  forwardOutput(child.stderr, prefix);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`\n${name} stopped (${signal ?? `exit code ${code}`}); stopping the rest.`);
      stop(1);
    }
  });
  children.push(child);
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

async function waitFor(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      const response = await fetch(url);
      if (response.ok) return response;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return undefined;
}

function fail(message) {
  if (!stopping) console.error(message);
  stop(1);
}

const devArgs = (config, port, persist) => [
  'wrangler',
  'dev',
  '-c',
  config,
  '--ip',
  '127.0.0.1',
  '--port',
  String(port),
  '--persist-to',
  persist,
  '--show-interactive-dev-session=false',
];

start('The simulator', '[sim]  ', [
  ...devArgs('sim/wrangler.toml', SIM_PORT, '.wrangler/state-sim'),
  '--var',
  `SIM_WEBHOOK_BASE:${EDGE_URL}`,
]);
const keyResponse = await waitFor(`${SIM_URL}/sim/public-key`, 60_000);
if (!keyResponse) {
  fail(`The simulator did not answer ${SIM_URL} within 60 s; see its output above. Is port ${SIM_PORT} free?`);
} else {
  const { public_key: publicKey } = await keyResponse.json();
  const vars = Object.entries(devSecrets(publicKey)).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
  start('The bundle', '[edge] ', [...devArgs('wrangler.toml', EDGE_PORT, '.wrangler/state'), ...vars]);
  if (await waitFor(`${EDGE_URL}/health`, 60_000)) {
    console.log(`
telnyx-edge is running at ${EDGE_URL}   (admin token: ${DEV_ADMIN_TOKEN})
Telnyx simulator        at ${SIM_URL}   (GET ${SIM_URL}/sim lists its controls)

Try:  npm run phone -- sms +13125550123 +13125550100 "Hello"   someone texts your number; watch the bundle answer
      (with SIM_PORT set, give npm run phone the same: SIM_URL=${SIM_URL})
      curl -s ${EDGE_URL}/health
Ctrl-C stops both.
`);
  } else {
    fail(`The bundle did not answer ${EDGE_URL}/health within 60 s; see its output above. Is port ${EDGE_PORT} free?`);
  }
}
