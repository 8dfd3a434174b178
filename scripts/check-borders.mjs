#!/usr/bin/env node
// The module borders of the design: shared/ never imports from a worker, no worker imports
// another worker (so each can become its own Worker later), and the bundle and the Telnyx
// simulator never import each other (the simulator may use shared/). Run by `npm run check`.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const WORKERS = ['messaging', 'voice', 'lookup'];

function* sourceFiles(dir) {
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(relative);
    else if (/\.ts$/.test(entry.name)) yield relative;
  }
}

/** The folder an import lands in, relative to the repository root. */
function importTargets(file) {
  const text = readFileSync(path.join(root, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) =>
      path
        .relative(root, path.resolve(root, path.dirname(file), s))
        .split(path.sep)
        .join('/'),
    );
}

const problems = [];
for (const file of sourceFiles('shared')) {
  for (const target of importTargets(file)) {
    if (target.startsWith('workers') || target.startsWith('sim')) {
      problems.push(`${file} imports ${target}: shared/ must not import from a worker or the simulator`);
    }
  }
}
for (const file of sourceFiles('sim')) {
  for (const target of importTargets(file)) {
    if (target.startsWith('workers'))
      problems.push(`${file} imports ${target}: the simulator must not import the bundle`);
  }
}
for (const file of sourceFiles('workers')) {
  for (const target of importTargets(file)) {
    if (target.startsWith('sim')) problems.push(`${file} imports ${target}: the bundle must not import the simulator`);
  }
}
for (const worker of WORKERS) {
  for (const file of sourceFiles(path.join('workers', worker))) {
    for (const target of importTargets(file)) {
      const other = WORKERS.find(
        (w) => w !== worker && (target === `workers/${w}` || target.startsWith(`workers/${w}/`)),
      );
      if (other) problems.push(`${file} imports ${target}: workers/${worker} must not import workers/${other}`);
    }
  }
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(
  'Module borders hold: shared/ imports no worker, no worker imports another, bundle and simulator stay apart.',
);
