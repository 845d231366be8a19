/**
 * The side channel from graded tests (inside jest) to `check.ts` (outside): one JSON object per
 * line, appended synchronously to the file named by {@link GRADER_EVENTS_ENV}. Synchronous
 * appends survive what jest's own reports do not: a test process killed because an endless loop
 * froze it still leaves behind which tests exist, their points, and which one was running.
 */
import * as fs from "node:fs";

/** Environment variable naming the events file; unset means graded tests record nothing. */
export const GRADER_EVENTS_ENV = "IPC_GRADER_EVENTS";

/** A graded test was declared (at collection, before any test runs). */
export interface DeclareEvent {
  type: "declare";
  name: string;
  points: number;
  timeoutMs: number;
  hint: string;
  /** The test file that declares it (absent in events written before this field existed). */
  file?: string;
}

/** A graded test's body started. */
export interface StartEvent {
  type: "start";
  name: string;
  at: number;
}

/** A graded test finished, one way or the other (cleanup included). */
export interface EndEvent {
  type: "end";
  name: string;
  status: "passed" | "failed" | "timed-out";
  message: string;
  durationMs: number;
}

/** The test process is exiting through `process.exit` (seen by `graded.ts`'s wrapper). */
export interface ExitEvent {
  type: "exit";
  code: number;
  /** The graded test running at the time, if any. */
  during?: string;
}

/**
 * The code under test changed the test environment: a built-in, the test framework, or the
 * grader's own modules. Recorded once per run; the grader then gives the run no points.
 */
export interface TamperEvent {
  type: "tamper";
  /** The test after which the change was found. */
  name: string;
  /** What changed, e.g. "Object.is", "expect". */
  what: string;
}

/** Every line of an events file. */
export type GraderEvent = DeclareEvent | StartEvent | EndEvent | ExitEvent | TamperEvent;

/** Appends `event` to the events file, if this process has one. */
export function recordEvent(event: GraderEvent): void {
  const file = process.env[GRADER_EVENTS_ENV];
  if (file) fs.appendFileSync(file, JSON.stringify(event) + "\n");
}

/**
 * Reads an events file; a missing file reads as no events. A torn last line (the writer was
 * killed mid-write) is skipped.
 */
export function readEvents(file: string): GraderEvent[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const events: GraderEvent[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      events.push(JSON.parse(line) as GraderEvent);
    } catch {
      // Only the last line can be torn; nothing after it was written.
    }
  }
  return events;
}
