/**
 * The PrairieLearn external grader result: the `results.json` an external grading container
 * writes to `/grade/results/results.json`. Field list: PrairieLearn docs, "External grading",
 * https://prairielearn.readthedocs.io/en/latest/externalGrading/ (grading results); checked in
 * tests against `schemas/prairielearn-results.schema.json`.
 */
import type { ExerciseResult, GradeReport, TestResult } from "../lib/result";
import { exerciseNote, testOutput } from "./text";

/** One entry of `tests[]`. */
export interface PrairieLearnTest {
  name: string;
  /** A short description: the exercise the test belongs to. */
  description: string;
  points: number;
  max_points: number;
  /** Why it failed, then the hint; empty when passed. */
  message: string;
}

/** The whole result. */
export interface PrairieLearnResult {
  /**
   * False when the submission could not be graded: an exercise's code did not compile, or an
   * exercise produced no test at all. PrairieLearn then marks it "invalid, not gradable",
   * awards and takes no points and does not count the attempt, as its docs ask for syntax
   * errors; it also avoids a score computed over fewer points than the assignment has.
   */
  gradable: boolean;
  /** Fraction of the points earned, 0..1. */
  score: number;
  /** Shown above the tests: the score line and what went wrong around the tests. */
  message: string;
  /** Why the submission is not gradable; present only when `gradable` is false. */
  format_errors?: string[];
  tests: PrairieLearnTest[];
}

/**
 * Maps a grading report to PrairieLearn's external grading result. PrairieLearn shows every
 * test to the learner at once and has no "after published" visibility, so hidden tests are
 * folded into one entry per exercise ("hidden tests", their summed points, how many passed)
 * with neither names nor messages: the score stays whole while their content stays secret.
 * Pure: same report, same object.
 */
export function toPrairieLearnResult(report: GradeReport): PrairieLearnResult {
  const tests: PrairieLearnTest[] = [];
  for (const exercise of report.exercises) {
    const visible = exercise.tests.filter((t) => t.hidden !== true);
    const hidden = exercise.tests.filter((t) => t.hidden === true);
    for (const test of visible) tests.push(prairieLearnTest(test));
    if (hidden.length > 0) tests.push(hiddenSummary(exercise, hidden));
  }
  const formatErrors = ungradableReasons(report);
  const result: PrairieLearnResult = {
    gradable: formatErrors.length === 0,
    score: formatErrors.length === 0 ? fraction(report.points, report.maxPoints) : 0,
    message: summary(report),
    tests,
  };
  if (formatErrors.length > 0) result.format_errors = formatErrors;
  return result;
}

/** Why the report cannot stand as a grade; empty when it can. */
function ungradableReasons(report: GradeReport): string[] {
  if (report.exercises.length === 0) return ["no exercise was graded"];
  const reasons: string[] = [];
  for (const e of report.exercises) {
    const note = exerciseNote(e);
    if (e.outcome === "compile-error") reasons.push(`${e.exercise} does not compile: ${note}`);
    else if (e.tests.length === 0) reasons.push(`${e.exercise} ran no test: ${note}`);
  }
  return reasons;
}

function prairieLearnTest(test: TestResult): PrairieLearnTest {
  return {
    name: test.name,
    description: test.exercise,
    points: test.points,
    max_points: test.maxPoints,
    message: testOutput(test),
  };
}

function hiddenSummary(exercise: ExerciseResult, hidden: readonly TestResult[]): PrairieLearnTest {
  const passed = hidden.filter((t) => t.status === "passed").length;
  return {
    name: `${exercise.exercise}: hidden tests`,
    description: exercise.exercise,
    points: hidden.reduce((sum, t) => sum + t.points, 0),
    max_points: hidden.reduce((sum, t) => sum + t.maxPoints, 0),
    message: `${passed} of ${hidden.length} hidden tests passed`,
  };
}

/** points / maxPoints within 0..1 (0 when nothing was possible). */
function fraction(points: number, maxPoints: number): number {
  return maxPoints > 0 ? Math.min(1, Math.max(0, points / maxPoints)) : 0;
}

function summary(report: GradeReport): string {
  const lines: string[] = [];
  for (const e of report.exercises) {
    const note = exerciseNote(e);
    if (note) lines.push(`${e.exercise}: ${note}`);
  }
  lines.push(`Score: ${report.points}/${report.maxPoints}`);
  return lines.join("\n");
}
