/**
 * How long this thread has waited for a CPU (Linux schedstat `run_delay`): time it was ready to run but the machine
 * ran something else. A task step that took long on the wall clock only because the machine was busy did not block
 * the loop by itself; the blocked-loop check subtracts this wait (core.ts `checkStep`). Elsewhere (no
 * `/proc/thread-self/schedstat`) it is unknown, and the check stays on wall time.
 */
import * as fs from 'fs';

/** Run-queue wait in ms from the text of a schedstat file (`<on-cpu ns> <run-queue ns> <timeslices>`); null if unreadable. */
export function parseSchedstat(text: string): number | null {
  const fields = text.trim().split(/\s+/);
  if (fields.length < 2 || !/^\d+$/.test(fields[1])) return null;
  return Number(fields[1]) / 1e6;
}

/**
 * A reader of the calling thread's run-queue wait so far (ms), or null where the platform does not tell. The file
 * stays open; each read is one `pread` (about 2 µs), done at most every few ms (see core.ts).
 */
export function openRunQueueDelay(file = '/proc/thread-self/schedstat'): (() => number) | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  const buffer = Buffer.alloc(128);
  const read = (): number | null => {
    try {
      const n = fs.readSync(fd, buffer, 0, buffer.length, 0);
      return parseSchedstat(buffer.toString('latin1', 0, n));
    } catch {
      return null;
    }
  };
  if (read() === null) {
    fs.closeSync(fd);
    return null;
  }
  let last = 0;
  // Never less than the last value, so a failed read counts as no wait.
  return () => (last = Math.max(last, read() ?? last));
}
