/**
 * `graded()`: a jest test with points, a hint, and its own time limit. Every test under
 * `autograder/tests/` (and `autograder/hidden/`) is declared with it; `check.ts` and
 * `grade.ts` turn what it records into the report.
 *
 * Under `npm run grade` (an events pipe is set, see `grader-channel.ts`) it also guards the
 * test environment: the grader's modules are frozen and built-ins recorded before the first
 * test (`integrity.ts`); a change found after a test fails it and marks the run as tampered;
 * `process.exit` is recorded with the test that called it.
 */
import * as path from "node:path";
import { closeAll, liveResources } from "kernel-lib";
import { EVENTS_FD_ENV, openGraderChannel } from "./grader-channel";
import type { EndEvent } from "./grader-events";
import { sealEnvironment, type EnvironmentSeal } from "./integrity";
import { CLEANUP_MS, DEFAULT_TIMEOUT_MS } from "./limits";

/** Taken at load, before any code under test runs: only this module can record events. */
const record = openGraderChannel();
/** `npm run grade`: the code under test is not trusted to leave the environment alone. */
const guarded = process.env[EVENTS_FD_ENV] !== undefined;
// Captured at load for the same reason as the channel: the timers decide "timed out".
const startTimer = setTimeout;
const stopTimer = clearTimeout;
const clock = Date.now;
const apply = Reflect.apply;

let seal: EnvironmentSeal | undefined;
/** What the code under test changed, once a change was found; every later test then fails. */
let tampered: string | undefined;
/** The graded test whose body is running. */
let running: string | undefined;

if (guarded) {
  // Recorded before exiting, so the report can say which test called it. (A submission can
  // still reach Node's own exit; the grader then infers the same from the exit status.)
  const proc = process as unknown as Record<string, unknown>;
  for (const key of ["exit", "reallyExit"]) {
    const original = proc[key];
    if (typeof original !== "function") continue;
    proc[key] = function exitRecorded(code?: number): unknown {
      const status = Number(code ?? process.exitCode ?? 0);
      record({ type: "exit", code: status, ...(running === undefined ? {} : { during: running }) });
      return apply(original, process, [code]);
    };
  }
}

/** The first module of the chain that loaded this one: the test file. */
function testFileModule(): NodeModule | undefined {
  let m: NodeModule | null | undefined = module;
  while (m?.parent) m = m.parent;
  return m ?? undefined;
}

/** The failure message of a test after which the environment had changed. */
export function tamperMessage(what: string): string {
  return (
    `the code under test changed the test environment (${what}): a submission may not patch ` +
    `built-ins, the test framework or the grader. The whole run scores 0.`
  );
}

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
  const file = (expect.getState() as { testPath?: string }).testPath;
  record({
    type: "declare",
    name,
    points,
    timeoutMs,
    hint: options.hint ?? "",
    ...(file === undefined ? {} : { file }),
  });

  test(
    name,
    async () => {
      if (guarded && seal === undefined) {
        // After the test file's imports, before the first body loads the code under test.
        const root = path.resolve(__dirname, "..");
        seal = sealEnvironment(testFileModule(), root, path.resolve(root, "..", "kernel-lib"));
      }
      const started = clock();
      running = name;
      record({ type: "start", name, at: started });
      let { status, error } = await raceTimer(body, timeoutMs);
      running = undefined;
      if (seal !== undefined && tampered === undefined) {
        const changed = seal.changes();
        if (changed.length > 0) {
          let what = "";
          for (let i = 0; i < changed.length && i < 6; i++) what += (i ? ", " : "") + changed[i];
          tampered = changed.length > 6 ? `${what} and ${changed.length - 6} more` : what;
          record({ type: "tamper", name, what: tampered });
        }
      }
      if (tampered !== undefined) {
        status = "failed";
        error = new Error(tamperMessage(tampered));
      } else if (status === "passed") {
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
      record({ type: "end", name, status, message, durationMs: clock() - started });
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
    timer = startTimer(
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
    stopTimer(timer);
  }
}

async function cleanUp(): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    closeAll(),
    new Promise<void>((resolve) => {
      timer = startTimer(resolve, CLEANUP_MS);
    }),
  ]);
  stopTimer(timer);
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
