#!/usr/bin/env node
// npm run dev: runs the bundle locally on 127.0.0.1:8787 with development secrets, offline.
// Ctrl-C stops everything it started.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_ADMIN_TOKEN, DEV_SECRETS, EDGE_PORT, EDGE_URL } from './dev-settings.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const children = [];

function start(name, args) {
  // Each child leads its own process group, so stopping it also stops the workerd it spawned.
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'quiet.mjs'), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  forwardOutput(child.stdout);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`\n${name} stopped (${signal ?? `exit code ${code}`}); stopping the rest.`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

// wrangler dev compares worker-configuration.d.ts with types it makes without the secret names
// (it does not read .dev.vars.example), so it always says they "might be out of date". They are
// checked properly by `npm run check`; the misleading line is dropped here.
const MISLEADING = /Your types might be out of date/;
function forwardOutput(stream) {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop();
    for (const line of lines) if (!MISLEADING.test(line)) process.stdout.write(line + '\n');
  });
  stream.on('end', () => pending && process.stdout.write(pending));
}

let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  setTimeout(() => process.exit(code), 300).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

async function waitForHealth(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

const vars = Object.entries(DEV_SECRETS).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
start('the bundle (wrangler dev)', [
  'wrangler',
  'dev',
  '--ip',
  '127.0.0.1',
  '--port',
  String(EDGE_PORT),
  '--show-interactive-dev-session=false',
  ...vars,
]);

if (await waitForHealth(`${EDGE_URL}/health`, 60_000)) {
  console.log(`
telnyx-edge is running at ${EDGE_URL}
  try:  curl -s ${EDGE_URL}/health
  admin routes take:  -H 'Authorization: Bearer ${DEV_ADMIN_TOKEN}'
Ctrl-C stops it.
`);
} else if (!stopping) {
  console.error(`The bundle did not answer ${EDGE_URL}/health within 60 s; see the output above.`);
  stop(1);
}
