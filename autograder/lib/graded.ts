/**
 * `graded()`: a jest test with points, a hint, and its own time limit. Every test under
 * `autograder/tests/` is declared with it; `check.ts` turns what it records into the report.
 */
import { closeAll, liveResources } from "kernel-lib";
import { recordEvent, type EndEvent } from "./grader-events";
import { CLEANUP_MS, DEFAULT_TIMEOUT_MS } from "./limits";

/** Options of {@link graded}. */
export interface GradedOptions {
  /** Time the test body may take; past it the test fails as "timed out". Default 10 s. */
  timeoutMs?: number;
  /** Shown under the failure: what to look at, naming the functions involved. */
  hint?: string;
}

/** How much later than ours jest's own timeout fires, so ours always reports first. */
const JEST_MARGIN_MS = 4_000;

/** Names declared in this test file: names identify tests in the report, so they are unique. */
const declared = new Set<string>();

/** The failure message for a body that ran out of time. */
export function timeoutMessage(timeoutMs: number): string {
  return (
    `timed out after ${timeoutMs / 1000} s: possible deadlock (something waits for a message, ` +
    `an end of stream or a process exit that never comes)`
  );
}

/**
 * Declares a graded test worth `points`. The test passes when `body` resolves within
 * `timeoutMs` and leaves no kernel-lib resource open (every channel closed, every child
 * process and worker exited); it then earns all its points, else none.
 *
 * The time limit is a timer racing the body, so a hang fails this test with
 * "timed out after N s: possible deadlock" and the run moves on. (A body that never yields,
 * such as an endless synchronous loop, blocks the timer too: `check.ts` watches for that from
 * outside and stops the run.) Whatever the outcome, `closeAll()` then releases everything the
 * test and the code under test left open, so one test's leftovers cannot break the next.
 *
 * @example
 * graded("returns every frame of a chunk that holds several", 2, () => {
 *   expect(decoder.push(chunk)).toHaveLength(3);
 * }, { hint: "keep looping over the chunk after the first complete frame" });
 */
export function graded(
  name: string,
  points: number,
  body: () => void | Promise<void>,
  options: GradedOptions = {},
): void {
  if (!Number.isInteger(points) || points <= 0) {
    throw new Error(`graded("${name}"): points must be a positive integer, got ${points}`);
  }
  if (declared.has(name)) throw new Error(`two graded tests are named "${name}"`);
  declared.add(name);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  recordEvent({ type: "declare", name, points, timeoutMs, hint: options.hint ?? "" });

  test(
    name,
    async () => {
      const started = Date.now();
      recordEvent({ type: "start", name, at: started });
      let { status, error } = await raceTimer(body, timeoutMs);
      if (status === "passed") {
        const leaked = liveResources();
        if (leaked.length > 0) {
          status = "failed";
          error = new Error(
            `still open after the test: ${leaked.join("; ")}. Close every channel and wait ` +
              `for every child process to exit before returning.`,
          );
        }
      }
      await cleanUp();
      const message = error === undefined ? "" : describeError(error);
      recordEvent({ type: "end", name, status, message, durationMs: Date.now() - started });
      if (error !== undefined) throw error;
    },
    timeoutMs + CLEANUP_MS + JEST_MARGIN_MS,
  );
}

interface Outcome {
  status: EndEvent["status"];
  error: unknown;
}

async function raceTimer(body: () => void | Promise<void>, timeoutMs: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const run = Promise.resolve().then(body);
  // After a timeout the body may still reject later (when cleanup closes its pipes): that
  // rejection belongs to a test already reported, so it must not surface as unhandled.
  run.catch(() => {});
  const timedOut = new Promise<Outcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: "timed-out", error: new Error(timeoutMessage(timeoutMs)) }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([
      run.then(
        (): Outcome => ({ status: "passed", error: undefined }),
        (error: unknown): Outcome => ({ status: "failed", error }),
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function cleanUp(): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    closeAll(),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLEANUP_MS);
    }),
  ]);
  clearTimeout(timer);
}

/** The error as one readable message: jest's expected-vs-received text, or name and message. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error) && !(typeof error === "object" && error !== null)) {
    return String(error);
  }
  const { name, message } = error as { name?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : String(error);
  // Matcher failures already say "expect(received)...": their class name adds nothing.
  const plainNames = ["Error", "JestAssertionError"];
  return typeof name === "string" && !plainNames.includes(name) && !text.startsWith(name)
    ? `${name}: ${text}`
    : text;
}
