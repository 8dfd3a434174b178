// Where a benchmark's wrangler dev keeps its local state (D1, KV, Durable Objects, R2).
//
// On a RAM disk (/dev/shm) when the machine has one with room, unless BENCH_STATE=disk. Locally
// every Durable Object and D1 write ends in an fsync of a SQLite file, and on these shared virtual
// disks that wait varied from run to run and dominated the figures of routes that write (signed
// webhooks measured 0.47 of /health with state on disk, about 0.58 on the RAM disk, in the same
// hour). What the benchmarks compare is the bundle's own work per request; in production that
// storage is not a local file at all. BENCH_STATE=disk measures the disk too.
import { accessSync, constants, rmSync, statfsSync } from 'node:fs';
import path from 'node:path';

const RAM_DISK = '/dev/shm';
/** A benchmark's state reaches a few hundred MB (the lookup replay, the report's 170,000 rows). */
const ROOM_NEEDED = 1024 ** 3;

function ramDiskUsable() {
  try {
    accessSync(RAM_DISK, constants.W_OK);
    const { bavail, bsize } = statfsSync(RAM_DISK);
    return bavail * bsize >= ROOM_NEEDED;
  } catch {
    return false;
  }
}

const onRamDisk = process.env.BENCH_STATE !== 'disk' && ramDiskUsable();

/** On the RAM disk: one folder per run, so runs from two clones at once do not share state. */
const ramDiskFolder = path.join(RAM_DISK, `telnyx-edge-bench-${process.pid}`);

/** The folder for one benchmark's state. */
export function benchStateDir(root, name) {
  return onRamDisk ? path.join(ramDiskFolder, name) : path.join(root, '.wrangler', 'bench', name);
}

/** Removes what this run put on the RAM disk (the project's own folder is left for inspection). */
export function removeBenchState() {
  if (onRamDisk) rmSync(ramDiskFolder, { recursive: true, force: true });
}

/** "RAM disk (/dev/shm)" or "disk", for the printed figures. */
export function benchStateKind() {
  return onRamDisk ? `RAM disk (${RAM_DISK})` : 'disk';
}
