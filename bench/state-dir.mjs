// Where a benchmark's wrangler dev keeps its local state (D1, KV, Durable Objects, R2).
//
// On a RAM disk (/dev/shm) when the machine has one, unless BENCH_STATE=disk. Locally every
// Durable Object and D1 write ends in an fsync of a SQLite file, and on these shared virtual disks
// that wait varied from run to run and dominated the figures of routes that write (signed webhooks
// measured 0.47 of /health with state on disk, about 0.58 on the RAM disk, in the same hour). What
// the benchmarks compare is the bundle's own work per request; in production that storage is not a
// local file at all. BENCH_STATE=disk measures the disk too.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

const RAM_DISK = '/dev/shm';

export function benchStateDir(root, name) {
  if (process.env.BENCH_STATE !== 'disk') {
    try {
      accessSync(RAM_DISK, constants.W_OK);
      return path.join(RAM_DISK, 'telnyx-edge-bench', name);
    } catch {
      // no RAM disk here: the project's own folder
    }
  }
  return path.join(root, '.wrangler', 'bench', name);
}

/** "RAM disk (/dev/shm)" or "disk", for the printed figures. */
export function benchStateKind(root) {
  return benchStateDir(root, 'probe').startsWith(RAM_DISK) ? `RAM disk (${RAM_DISK})` : 'disk';
}
