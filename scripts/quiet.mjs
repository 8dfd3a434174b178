#!/usr/bin/env node
// Runs a command (wrangler, vitest, ...) with wrangler and miniflare kept offline and quiet:
// no metrics, no error reports, no cf.json download, no banner (whose update check goes online).
// Wrangler's logs and dev registry go under .wrangler/home instead of the user's config folder,
// unless --user-config is given (deploy needs the user's `wrangler login`).
//
//   node scripts/quiet.mjs [--user-config] <command> [args...]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
let args = process.argv.slice(2);
const useUserConfig = args[0] === '--user-config';
if (useUserConfig) args = args.slice(1);
if (args.length === 0) {
  console.error('usage: node scripts/quiet.mjs [--user-config] <command> [args...]');
  process.exit(2);
}

const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
};
if (!useUserConfig) env.XDG_CONFIG_HOME = path.join(root, '.wrangler', 'home');

const [command, ...rest] = args;
const child = spawn(command, rest, { cwd: root, env, stdio: 'inherit', shell: process.platform === 'win32' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
  console.error(`could not start ${command}: ${error.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
