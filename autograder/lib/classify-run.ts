/**
 * How a sandboxed test run ended, in the words of the report: timed out (and which test was
 * running), crashed (signal), called process.exit, ran out of memory, could not load the
 * exercise, or tampered with the grader. Pure functions of what the run left behind, so every
 * rule is tested without starting processes.
 */
import type { GraderEvent } from "./grader-events";
import type { ExerciseOutcome, ExerciseResult } from "./result";

/** What a finished sandboxed run reports about its ending (see `sandbox/run-sandboxed.ts`). */
export interface RunEnding {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the grader stopped the run (time limit, frozen test). */
  stopReason?: string;
  setupError?: string;
  stderr: string;
  oomKills: number;
  taskLimitHits: number;
}

/** The verdict on a run before its tests are collected. */
export interface RunVerdict {
  outcome: ExerciseOutcome;
  /** Why the run ended early; becomes the message of the interrupted and the unrun tests. */
  stopReason?: string;
  /** Status of the test that was running when it ended early. */
  interruptedStatus: "timed-out" | "failed";
  notes: string[];
  /** The run earns nothing: the code under test tampered with the grader. */
  zero: boolean;
}

/** What the run's events tell, besides the tests' own results. */
interface EventSummary {
  running?: string;
  allEnded: boolean;
  exit?: { code: number; during?: string };
  tamper?: { name: string; what: string };
}

function summarize(events: readonly GraderEvent[], testNames: readonly string[]): EventSummary {
  const ended = new Set<string>();
  let running: string | undefined;
  const summary: EventSummary = { allEnded: false };
  for (const e of events) {
    if (e.type === "start") running = e.name;
    else if (e.type === "end") {
      ended.add(e.name);
      if (running === e.name) running = undefined;
    } else if (e.type === "exit") {
      summary.exit = e.during === undefined ? { code: e.code } : { code: e.code, during: e.during };
    } else if (e.type === "tamper") summary.tamper ??= { name: e.name, what: e.what };
  }
  if (running !== undefined) summary.running = running;
  summary.allEnded = testNames.every((name) => ended.has(name));
  return summary;
}

const during = (test: string | undefined): string => (test ? ` during "${test}"` : "");

/**
 * Decides how a run ended from its exit, its cgroup counters and its authenticated events.
 * `testNames` are the tests the run should have run (from the manifest); `forgedLines` counts
 * lines on the grader's channel that lacked the run's secret; `memoryLimitBytes` is for the
 * message.
 */
export function classifyEnding(
  ending: RunEnding,
  events: readonly GraderEvent[],
  testNames: readonly string[],
  forgedLines: number,
  memoryLimitBytes: number,
): RunVerdict {
  const summary = summarize(events, testNames);
  const notes: string[] = [];
  let zero = false;
  if (summary.tamper) {
    zero = true;
    notes.push(
      `tampering: after "${summary.tamper.name}" the test environment had changed ` +
        `(${summary.tamper.what}); the run scores 0`,
    );
  }
  if (forgedLines > 0) {
    zero = true;
    notes.push(
      `tampering: ${forgedLines} line(s) written to the grader's results channel did not come ` +
        `from the grader; the run scores 0`,
    );
  }
  if (ending.taskLimitHits > 0) {
    notes.push(
      `the run reached its cap on processes and threads: ${ending.taskLimitHits} fork(s) were ` +
        `refused (a process started in a loop?)`,
    );
  }
  const verdict = (
    outcome: ExerciseOutcome,
    stopReason: string | undefined,
    interruptedStatus: RunVerdict["interruptedStatus"] = "failed",
  ): RunVerdict => {
    if (stopReason !== undefined && !notes.includes(stopReason)) notes.unshift(stopReason);
    return stopReason === undefined
      ? { outcome, interruptedStatus, notes, zero }
      : { outcome, stopReason, interruptedStatus, notes, zero };
  };

  if (ending.setupError !== undefined) return verdict("crashed", ending.setupError);
  const mib = Math.round(memoryLimitBytes / 1024 ** 2);
  if (
    ending.oomKills > 0 ||
    /JavaScript heap out of memory|Reached heap limit/.test(ending.stderr)
  ) {
    const killedMain = ending.signal !== null || ending.code !== 0;
    return verdict(
      "out-of-memory",
      killedMain && !summary.allEnded
        ? `the test process ran out of memory (limit ${mib} MiB)${during(summary.running)} and ` +
            "was killed"
        : `a process the tests started ran out of memory (limit ${mib} MiB) and was killed`,
    );
  }
  if (ending.stopReason !== undefined) return verdict("timed-out", ending.stopReason, "timed-out");
  if (summary.allEnded && ending.signal === null) return verdict("graded", undefined);
  if (!events.some((e) => e.type === "start")) {
    // The code under test loads inside test bodies: a run that ended before the first one
    // failed in the grader's own set-up (jest, the sandbox), which the report must show.
    const tail = ending.stderr.trim().split("\n").slice(-12).join("\n");
    return verdict(
      "crashed",
      `the test process ended before its first test (${ending.signal ?? `exit ${ending.code}`}), ` +
        `a problem of the grader, not of the submission:\n${tail || "(no output)"}`,
    );
  }
  if (summary.exit !== undefined || (ending.code !== null && ending.signal === null)) {
    const code = summary.exit?.code ?? ending.code;
    const test = summary.exit?.during ?? summary.running;
    return verdict(
      "process-exit",
      `the code under test called process.exit(${code})${during(test)}; the test process ` +
        "ended there (never call process.exit from library code)",
    );
  }
  return verdict(
    "crashed",
    `the test process crashed (${ending.signal ?? `exit ${ending.code}`})${during(summary.running)}`,
  );
}

/** Messages of a test that failed because the exercise's code could not be loaded. */
const LOAD_FAILURE = /^(could not load |exercise file not found)/;

/**
 * Applies the verdict to the collected results: zero points after tampering, and the
 * "import-error" outcome when every test failed because the exercise's code did not load.
 */
export function applyVerdict(result: ExerciseResult, verdict: RunVerdict): ExerciseResult {
  let outcome = verdict.outcome;
  const notes = [...verdict.notes];
  const failed = result.tests.filter((t) => t.status !== "passed");
  if (
    outcome === "graded" &&
    failed.length > 0 &&
    failed.length === result.tests.length &&
    failed.every((t) => LOAD_FAILURE.test(t.message))
  ) {
    outcome = "import-error";
    notes.unshift(`the exercise's code could not be loaded: ${failed[0]?.message ?? ""}`);
  }
  const tests = verdict.zero ? result.tests.map((t) => ({ ...t, points: 0 })) : result.tests;
  const points = tests.reduce((sum, t) => sum + t.points, 0);
  // Notes collectResults made (processes left running) stay, after ours.
  if (result.note && !notes.includes(result.note)) {
    for (const line of result.note.split("\n")) if (!notes.includes(line)) notes.push(line);
  }
  const out: ExerciseResult = { ...result, tests, points, outcome };
  if (notes.length > 0) out.note = notes.join("\n");
  else delete out.note;
  return out;
}
