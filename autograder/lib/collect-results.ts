/**
 * Turns what a jest run left behind (graded events, jest's report, why it was stopped) into the
 * result model of `result.ts`. Pure: no processes, no files, so it is tested on its own.
 */
import type { DeclareEvent, EndEvent, GraderEvent } from "./grader-events";
import type { ExerciseResult, TestResult } from "./result";
import { sumPoints } from "./result";
import type { JestRun } from "./run-jest";

/** Longest failure message kept, in lines (a big toEqual diff says enough in its first ones). */
const MAX_MESSAGE_LINES = 30;

/** Jest's failure text without colours and stack frames, trimmed to its first lines. */
export function cleanFailureText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const lines = text.replace(/\u001b\[[0-9;]*m/g, "").split("\n");
  const kept = lines.filter((line) => !/^\s+at /.test(line));
  while (kept.length > 0 && kept[kept.length - 1]?.trim() === "") kept.pop();
  const cut = kept.length > MAX_MESSAGE_LINES;
  return [...kept.slice(0, MAX_MESSAGE_LINES), ...(cut ? ["..."] : [])].join("\n").trim();
}

/** Options of {@link collectResults} that `npm run grade` uses. */
export interface CollectOptions {
  /**
   * The tests that exist, from a trusted run that loaded no code under test (see
   * `test-manifest.ts`). When given, declarations in the run's own events are ignored: points,
   * hints and the list of tests cannot come from the process that ran the code under test.
   */
  manifest?: readonly DeclareEvent[];
  /** Marks every result as a hidden test's. */
  hidden?: boolean;
  /**
   * Status of a test that started and never ended: "timed-out" (the default) when a time limit
   * stopped the run, "failed" when the test process crashed or exited.
   */
  interruptedStatus?: "timed-out" | "failed";
}

/**
 * The graded results of one exercise's run. `testFilter` (the `--test` text) limits the
 * declared tests to those that were meant to run.
 */
export function collectResults(
  exercise: string,
  run: Pick<JestRun, "events" | "jest" | "log" | "stopReason" | "strayProcesses" | "wallMs">,
  testFilter?: string,
  options: CollectOptions = {},
): ExerciseResult {
  const declared = new Map<string, DeclareEvent>();
  const started = new Set<string>();
  const ended = new Map<string, EndEvent>();
  for (const e of options.manifest ?? []) declared.set(e.name, e);
  for (const e of run.events as GraderEvent[]) {
    if (e.type === "declare") {
      if (!options.manifest && !declared.has(e.name)) declared.set(e.name, e);
    } else if (e.type === "start") started.add(e.name);
    else if (e.type === "end") ended.set(e.name, e);
  }
  const assertions = new Map(
    (run.jest?.testResults ?? []).flatMap((file) => file.assertionResults.map((a) => [a.title, a])),
  );

  const tests: TestResult[] = [];
  for (const d of declared.values()) {
    if (testFilter !== undefined && !d.name.includes(testFilter)) continue;
    const end = ended.get(d.name);
    const assertion = assertions.get(d.name);
    const jestMessage = cleanFailureText((assertion?.failureMessages ?? []).join("\n"));
    let status: TestResult["status"];
    let message: string;
    if (end) {
      // Jest has the last word: it also sees failures outside the body (hooks, its own timeout).
      const failedInJest = assertion !== undefined && assertion.status === "failed";
      status = end.status === "passed" && failedInJest ? "failed" : end.status;
      message = end.message || (status === "passed" ? "" : jestMessage);
    } else if (assertion?.status === "failed") {
      status = "failed";
      message = jestMessage;
    } else if (started.has(d.name)) {
      status = options.interruptedStatus ?? "timed-out";
      message = run.stopReason ?? "the test started but never finished";
    } else {
      status = "not-run";
      message = run.stopReason
        ? `not run: ${run.stopReason}`
        : "not run: jest did not reach this test";
    }
    const result: TestResult = {
      exercise,
      name: d.name,
      points: status === "passed" ? d.points : 0,
      maxPoints: d.points,
      status,
      message: cleanFailureText(message),
      hint: status === "passed" ? "" : d.hint,
    };
    if (end) result.durationMs = end.durationMs;
    if (options.hidden) result.hidden = true;
    tests.push(result);
  }

  const notes: string[] = [];
  if (declared.size === 0) {
    const suiteMessage = run.jest?.testResults.map((f) => f.message).join("\n") ?? "";
    const why = cleanFailureText(suiteMessage || run.log.split("\n").slice(-20).join("\n"));
    notes.push(`the graded tests could not run:\n${why || run.stopReason || "(no output)"}`);
  } else if (run.stopReason !== undefined) {
    notes.push(run.stopReason);
  }
  const strays = run.strayProcesses;
  if (strays.length > 0) {
    const listed =
      strays.slice(0, 5).join("; ") + (strays.length > 5 ? ` and ${strays.length - 5} more` : "");
    notes.push(
      `${strays.length} processes started by the tests were still running after them, ` +
        `and were killed: ${listed}`,
    );
  }
  const result: ExerciseResult = { exercise, tests, ...sumPoints(tests), wallMs: run.wallMs };
  if (notes.length > 0) result.note = notes.join("\n");
  return result;
}
