/**
 * The two ways a thread waits for a shared Int32 word to change: `Atomics.wait` blocks the
 * thread (workers only), `Atomics.waitAsync` returns a promise (any thread, and the only one
 * the main thread, the notebook kernel, may use).
 */
import { isMainThread } from "node:worker_threads";
import { ChannelError } from "../channel";

/** What Atomics.wait reports: woken, the word had already changed, or the time ran out. */
export type WaitResult = "ok" | "not-equal" | "timed-out";

// Atomics.waitAsync is in ES2024's lib, newer than this project's ES2022 target and than
// tslab's TypeScript 5.0; Node 20 has it, so it is typed here rather than through `lib`.
type WaitAsync = (
  typedArray: Int32Array,
  index: number,
  value: number,
  timeoutMs?: number,
) =>
  { async: false; value: "not-equal" | "timed-out" } | { async: true; value: Promise<WaitResult> };

const atomicsWaitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/**
 * Resolves once `i32[index]` is notified, or at once when it no longer holds `expected`, or
 * after `timeoutMs` (Infinity: no limit). Never blocks the calling thread.
 */
export function waitAsync(
  i32: Int32Array,
  index: number,
  expected: number,
  timeoutMs = Infinity,
): Promise<WaitResult> {
  const result = atomicsWaitAsync(i32, index, expected, timeoutMs);
  return result.async ? result.value : Promise.resolve(result.value);
}

/**
 * Blocks the calling worker thread until `i32[index]` is notified or no longer holds
 * `expected`, or `timeoutMs` passes.
 */
export function waitBlocking(
  i32: Int32Array,
  index: number,
  expected: number,
  timeoutMs = Infinity,
): WaitResult {
  return Atomics.wait(i32, index, expected, timeoutMs);
}

/**
 * Throws `Unsupported` on the main thread: Node would let Atomics.wait block it, but the main
 * thread is the notebook kernel, and a blocked kernel cannot even be interrupted.
 */
export function assertMayBlock(what: string): void {
  if (isMainThread) {
    throw new ChannelError(
      "Unsupported",
      `${what} blocks the calling thread, which only worker threads may do; ` +
        `on the main thread (the notebook kernel) use the promise-returning call instead`,
    );
  }
}
