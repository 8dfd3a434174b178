// Creation times that sort in the order things were created. A Worker's clock stands still between
// I/O (a guard against timing attacks), so two records made one after the other can get the same
// millisecond, and a list sorted by created_at would then show them in random order. Within an
// isolate these stamps strictly increase; across isolates they are as good as the clock.

let last = 0;

/** Now as ISO 8601, at least a millisecond after the previous stamp this isolate gave. */
export function creationStamp(): string {
  last = Math.max(Date.now(), last + 1);
  return new Date(last).toISOString();
}
