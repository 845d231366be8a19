/**
 * The unprivileged user and group a sandboxed run executes as. Each concurrent run gets a user
 * of its own, so runs cannot signal, trace or read one another's processes and files, and
 * RLIMIT_NPROC (counted per real user) caps exactly one run's processes. Each submission being
 * graded gets a group of its own, which alone may read its copied files: runs of the same
 * submission (which may run at once, as different users) share it; other submissions do not.
 *
 * The ids need no /etc/passwd entry: `setpriv` switches to bare numbers. They sit above the
 * ranges systemd and container tools hand out (nspawn stops at 0x6FFFFFFF) and below 2^31:
 * each grader process has 32 ids (16 users, then 16 groups) from base + pid * 32.
 */

/** First id of the range. */
export const SANDBOX_UID_BASE = 1_900_000_000;

/** Concurrent runs (and submissions) one grader process may hold (`--jobs` at most this). */
export const MAX_SANDBOX_SLOTS = 16;

function idOf(slot: number, pid: number, offset: number): number {
  if (!Number.isInteger(slot) || slot < 0 || slot >= MAX_SANDBOX_SLOTS) {
    throw new RangeError(`sandbox slot must be 0..${MAX_SANDBOX_SLOTS - 1}, got ${slot}`);
  }
  return SANDBOX_UID_BASE + pid * 2 * MAX_SANDBOX_SLOTS + offset + slot;
}

/**
 * The user id of run slot `slot` of grader process `pid`. Two graders running at once get
 * disjoint ids because their pids differ.
 *
 * @example
 * sandboxUid(0); // 1_900_000_000 + process.pid * 32
 */
export function sandboxUid(slot: number, pid = process.pid): number {
  return idOf(slot, pid, 0);
}

/**
 * The group id of submission slot `slot` of grader process `pid`.
 *
 * @example
 * sandboxGid(0); // 1_900_000_000 + process.pid * 32 + 16
 */
export function sandboxGid(slot: number, pid = process.pid): number {
  return idOf(slot, pid, MAX_SANDBOX_SLOTS);
}
