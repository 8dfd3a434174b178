// The size of what `wrangler deploy` would upload: the bundle built by `wrangler deploy --dry-run`.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export function benchBundleSize({ root }) {
  const outdir = path.join(root, '.wrangler', 'bench', 'bundle');
  rmSync(outdir, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [path.join(root, 'scripts', 'quiet.mjs'), 'wrangler', 'deploy', '--dry-run', '--outdir', outdir],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const code = readFileSync(path.join(outdir, 'index.js'));
  return { rawBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}
