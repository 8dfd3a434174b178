// Starts the bundle and the Telnyx simulator as two `wrangler dev` processes wired to each other:
// the bundle calls the simulator as TELNYX_API_BASE and trusts the simulator's signing key; the
// simulator's webhooks go to the bundle. Used by `npm run dev` and `npm run bench`.
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_SIM_SETTINGS, devSecrets } from './dev-settings.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

// wrangler dev compares worker-configuration.d.ts with types it makes without the secret names
// (it does not read .dev.vars.example), so it always says they "might be out of date". They are
// checked properly by `npm run check`; the misleading line is dropped.
const MISLEADING = /Your types might be out of date/;

function forwardOutput(stream, prefix, output) {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop();
    for (const line of lines) if (output && !MISLEADING.test(line)) output.write(`${prefix}${line}\n`);
  });
  stream.on('end', () => output && pending && output.write(`${prefix}${pending}\n`));
}

async function waitFor(url, timeoutMs, stopped) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopped()) {
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

/**
 * Starts both Workers. Resolves once both answer, or rejects with a message saying what failed.
 * `onExit(name, code)` is called if a process stops on its own. `output`: where their logs go
 * (null to drop them). `logLevel`: wrangler's (e.g. "warn" for benchmarks). `edgeVars`: extra
 * [vars] for the bundle (benchmarks raise limits with them). The result's `edgeProcessGroup` is the
 * bundle's process group id, for measuring its CPU.
 */
export async function startStack({
  edgePort,
  simPort,
  stateDir,
  output = process.stdout,
  logLevel,
  onExit,
  edgeVars = {},
}) {
  const edgeUrl = `http://127.0.0.1:${edgePort}`;
  const simUrl = `http://127.0.0.1:${simPort}`;
  const children = [];
  let stopping = false;

  const start = (name, prefix, args) => {
    // Each child leads its own process group, so stopping it also stops the workerd it spawned.
    const child = spawn(process.execPath, [path.join(root, 'scripts', 'quiet.mjs'), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    forwardOutput(child.stdout, prefix, output);
    forwardOutput(child.stderr, prefix, output);
    child.on('exit', (code, signal) => !stopping && onExit?.(name, signal ?? code));
    children.push(child);
  };
  const stop = () => {
    stopping = true;
    for (const child of children) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  const devArgs = (config, port, persist) => [
    ...['wrangler', 'dev', '-c', config, '--ip', '127.0.0.1', '--port', String(port)],
    ...['--persist-to', persist, '--show-interactive-dev-session=false'],
    ...(logLevel ? ['--log-level', logLevel] : []),
  ];

  try {
    start('The simulator', '[sim]  ', [
      ...devArgs('sim/wrangler.toml', simPort, path.join(stateDir, 'sim')),
      ...['--var', `SIM_WEBHOOK_BASE:${edgeUrl}`],
    ]);
    const keyResponse = await waitFor(`${simUrl}/sim/public-key`, 60_000, () => stopping);
    if (!keyResponse) throw new Error(`The simulator did not answer ${simUrl} within 60 s. Is port ${simPort} free?`);
    const { public_key: publicKey } = await keyResponse.json();
    await fetch(`${simUrl}/sim/settings`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(DEV_SIM_SETTINGS),
    });

    // The bundle's D1 tables, created or brought up to date in the local database.
    const edgeState = path.join(stateDir, 'edge');
    try {
      const args = ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', edgeState];
      execFileSync(process.execPath, [path.join(root, 'scripts', 'quiet.mjs'), ...args], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, CI: 'true' }, // apply without asking for confirmation
      });
    } catch {
      throw new Error('Applying the D1 migrations to the local database failed; see the output above.');
    }

    const secrets = { ...devSecrets(publicKey, simUrl), ...edgeVars };
    const vars = Object.entries(secrets).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
    start('The bundle', '[edge] ', [...devArgs('wrangler.toml', edgePort, edgeState), ...vars]);
    if (!(await waitFor(`${edgeUrl}/health`, 60_000, () => stopping))) {
      throw new Error(`The bundle did not answer ${edgeUrl}/health within 60 s. Is port ${edgePort} free?`);
    }
  } catch (error) {
    stop();
    throw error;
  }
  return { edgeUrl, simUrl, stop, edgeProcessGroup: children[1].pid };
}
