/**
 * The unprivileged user a sandboxed run executes as. Each concurrent run gets a user of its
 * own, so runs cannot signal, trace or read one another's processes and files, and
 * RLIMIT_NPROC (counted per real user) caps exactly one run's processes.
 *
 * The ids need no /etc/passwd entry: `setpriv` switches to a bare number. They sit above the
 * ranges systemd and container tools hand out (nspawn stops at 0x6FFFFFFF) and below 2^31.
 */

/** First id of the range. */
export const SANDBOX_UID_BASE = 1_900_000_000;

/** Concurrent runs one grader process may hold (`--jobs` at most this). */
export const MAX_SANDBOX_SLOTS = 16;

/**
 * The user (and group) id of run slot `slot` of this grader process. Two graders running at
 * once get disjoint ids because their pids differ.
 *
 * @example
 * sandboxUid(0); // 1_900_000_000 + process.pid * 16
 */
export function sandboxUid(slot: number, pid = process.pid): number {
  if (!Number.isInteger(slot) || slot < 0 || slot >= MAX_SANDBOX_SLOTS) {
    throw new RangeError(`sandbox slot must be 0..${MAX_SANDBOX_SLOTS - 1}, got ${slot}`);
  }
  return SANDBOX_UID_BASE + pid * MAX_SANDBOX_SLOTS + slot;
}
