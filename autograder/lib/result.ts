/**
 * The grading result model: what one graded test, one exercise and one whole run produced.
 * `check.ts` prints it for people and writes it as JSON (`--json`) for machines; later
 * exporters (Gradescope `results.json`) start from these types too.
 */

/**
 * How a graded test ended.
 * - `passed`: full points.
 * - `failed`: an assertion or an error; `message` says which step, expected vs got.
 * - `timed-out`: the test did not finish in its time (a deadlock, or an endless loop).
 * - `not-run`: the run stopped before this test could start (see the exercise's `note`).
 */
export type TestStatus = "passed" | "failed" | "timed-out" | "not-run";

/** One graded test. */
export interface TestResult {
  /** Exercise slug, e.g. "ex02-framing". */
  exercise: string;
  /** The test's name, stating the behaviour it checks. */
  name: string;
  /** Points earned: `maxPoints` when passed, else 0. */
  points: number;
  maxPoints: number;
  status: TestStatus;
  /** Why it did not pass (empty when passed). */
  message: string;
  /** What to look at when it fails (empty when the test has none). */
  hint: string;
  /** Wall-clock time of the test body, when it ran. */
  durationMs?: number;
  /**
   * True for tests from `autograder/hidden/` (never released to learners); exporters show them
   * only after grades are published (Gradescope visibility `after_published`).
   */
  hidden?: boolean;
}

/**
 * How an exercise's run ended as a whole, whatever its tests say. Anything but `graded`
 * explains why some or all tests could not earn points; `note` carries the details.
 */
export type ExerciseOutcome =
  | "graded"
  | "compile-error"
  | "import-error"
  | "timed-out"
  | "crashed"
  | "out-of-memory"
  | "process-exit";

/** Everything one exercise's run produced. */
export interface ExerciseResult {
  exercise: string;
  tests: TestResult[];
  points: number;
  maxPoints: number;
  /** A problem with the run as a whole (stopped by a time limit, test file failed to load). */
  note?: string;
  /** How the run ended; absent means `graded`. */
  outcome?: ExerciseOutcome;
  wallMs: number;
}

/** A whole `npm run check` run. */
export interface GradeReport {
  /** The directory whose exercise code was graded. */
  exercisesDir: string;
  exercises: ExerciseResult[];
  points: number;
  maxPoints: number;
}

/** Sums earned and possible points over anything that carries them. */
export function sumPoints(items: readonly { points: number; maxPoints: number }[]): {
  points: number;
  maxPoints: number;
} {
  let points = 0;
  let maxPoints = 0;
  for (const item of items) {
    points += item.points;
    maxPoints += item.maxPoints;
  }
  return { points, maxPoints };
}
