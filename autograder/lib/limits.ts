/**
 * Time limits shared by graded tests (inside jest) and the watchdog in `check.ts` (outside).
 */

/** Time limit of a graded test body when the test declares none. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Time allowed for `closeAll()` after a test body: kernel-lib stops a child by closing its
 * stdin, then SIGTERM after 2 s, then SIGKILL after 2 s more.
 */
export const CLEANUP_MS = 6_000;

/**
 * How far past a test's limit plus cleanup the outside watchdog waits before it decides the test
 * process is frozen and stops the run.
 */
export const WATCHDOG_GRACE_MS = 4_000;

/** Default wall-clock limit of one exercise's whole run. */
export const DEFAULT_EXERCISE_LIMIT_MS = 300_000;

/**
 * Default memory limit of one sandboxed run (`npm run grade`): the jest process and everything
 * the tests start. Grading ex03's reference solution peaks near 600 MB (page cache included).
 */
export const DEFAULT_MEMORY_LIMIT_BYTES = 2 * 1024 ** 3;

/**
 * Default cap on tasks (processes and their threads) in one sandboxed run. ex03's reference
 * solution peaks near 220; each Node process brings about ten threads.
 */
export const DEFAULT_TASK_LIMIT = 1024;
