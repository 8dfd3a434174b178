#!/usr/bin/env node
// shared/phone-metadata.json: libphonenumber-js's "min" metadata without what only formatting
// uses. The bundle parses and validates numbers and never formats them, and the formatting rules
// were more than half of the metadata: 18.9 KiB of the bundle's gzip, 10.0 KiB without them.
//
//   node scripts/phone-metadata.mjs           writes the file (after upgrading libphonenumber-js)
//   node scripts/phone-metadata.mjs --check   fails when the file is not what the installed
//                                             libphonenumber-js gives (part of npm run check)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const target = path.join(root, 'shared', 'phone-metadata.json');

// Positions in a numbering plan's array (libphonenumber-js metadata version 4) that only
// formatting reads: the formats, the national prefix formatting rule, and whether that prefix is
// optional when formatting. Parsing reads the others: calling code, IDD prefix, number pattern,
// possible lengths, national prefix and its parsing rules, leading digits, types.
const FORMATTING_ONLY = [4, 6, 9];

export function phoneMetadata() {
  const require = createRequire(import.meta.url);
  const metadata = structuredClone(require('libphonenumber-js/metadata.min.json'));
  if (metadata.version !== 4) {
    throw new Error(`libphonenumber-js metadata version ${metadata.version}: check FORMATTING_ONLY against it.`);
  }
  for (const plan of [...Object.values(metadata.countries), ...Object.values(metadata.nonGeographic)]) {
    for (const at of FORMATTING_ONLY) if (plan.length > at) plan[at] = 0;
  }
  return metadata;
}

const text = `${JSON.stringify(phoneMetadata())}\n`;
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing: reported below
  }
  if (current !== text) {
    console.error('shared/phone-metadata.json is not what the installed libphonenumber-js gives.');
    console.error('Run: node scripts/phone-metadata.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${path.relative(root, target)} (${text.length} bytes)`);
}
