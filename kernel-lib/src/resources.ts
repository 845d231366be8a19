/**
 * Bookkeeping of everything kernel-lib starts or creates that would outlive a test or a notebook
 * if forgotten: child processes, worker threads, FIFO directories, channels. Each registers
 * itself here while alive, so a test can assert that nothing leaked and a notebook can release
 * everything with one call.
 */

/** Something that holds an OS resource until closed. */
export interface TrackedResource {
  /** What it is, for leak reports: e.g. "child process 1234 (framed-echo.ts)". */
  readonly label: string;
  /** Releases it. Must be safe to call more than once. */
  close(): Promise<void>;
  /** Last resort at process exit: release synchronously (kill a child, remove a directory). */
  closeSync?(): void;
}

const live = new Set<TrackedResource>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // When the kernel or a test process exits with resources still open, do not leave orphaned
  // children or FIFO directories behind: only synchronous work is possible here.
  process.once("exit", () => {
    for (const r of live) {
      try {
        r.closeSync?.();
      } catch {
        // Exiting anyway; nothing useful to report to.
      }
    }
  });
}

/** Registers a live resource; returns the function that unregisters it (call it on close). */
export function track(resource: TrackedResource): () => void {
  installExitHook();
  live.add(resource);
  return () => {
    live.delete(resource);
  };
}

/**
 * Labels of every resource kernel-lib holds open right now. Empty when nothing leaked.
 *
 * @example
 * afterEach(async () => { await closeAll(); });
 * afterAll(() => expect(liveResources()).toEqual([]));
 */
export function liveResources(): string[] {
  return [...live].map((r) => r.label);
}

/**
 * Closes every live resource (children are stopped gracefully, then killed), most recent first
 * so channels close before the processes under them. Never throws; resolves when all are closed.
 */
export async function closeAll(): Promise<void> {
  for (const r of [...live].reverse()) {
    try {
      await r.close();
    } catch {
      // Keep closing the rest: one failure must not leak the others.
    }
    live.delete(r);
  }
}
