// Single key presses from the terminal while a call is followed. On a terminal stdin goes to raw
// mode, so a digit leaves the moment it is pressed (no Enter) and Ctrl-C arrives as a key (the
// follower stops following rather than the process dying with the terminal still raw). When stdin
// is not a terminal (a script, a pipe, CI) nothing is read at all: --press is the way to press.

/** Starts reading keys; `onKey(key)` gets each one. Returns whether it reads, and how to stop. */
export function readKeys(onKey) {
  const stdin = process.stdin;
  if (!stdin.isTTY) return { interactive: false, stop: () => {} };
  const restore = () => {
    if (stdin.isRaw) stdin.setRawMode(false);
  };
  const listener = (chunk) => {
    for (const key of chunk) onKey(key);
  };
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.on('data', listener);
  stdin.resume();
  // Whatever ends the process (an error, process.exit), the terminal gets its line mode back.
  process.once('exit', restore);
  return {
    interactive: true,
    stop: () => {
      stdin.off('data', listener);
      restore();
      stdin.pause();
      process.off('exit', restore);
    },
  };
}
