/**
 * The Gradescope autograder `results.json`: what `run_autograder` leaves in
 * `/autograder/results/results.json`. Field list: Gradescope's "Autograder Specifications",
 * https://gradescope-autograders.readthedocs.io/en/latest/specs/ (output format); checked in
 * tests against `schemas/gradescope-results.schema.json`.
 */
import type { ExerciseResult, GradeReport, TestResult } from "../lib/result";
import { exerciseNote, testOutput } from "./text";

/** Who sees a test (or the whole result) and when. */
export type GradescopeVisibility = "hidden" | "after_due_date" | "after_published" | "visible";

/** One entry of `tests[]`. */
export interface GradescopeTest {
  /** "exercise: test name", so learners find the test in the public files. */
  name: string;
  score: number;
  max_score: number;
  /** Shown as a green or red bar; without it Gradescope infers it from the scores. */
  status: "passed" | "failed";
  /** Why it failed, then the hint; empty when passed. */
  output: string;
  visibility: GradescopeVisibility;
  /** The exercise slug, so instructors can filter by exercise. */
  tags: string[];
  /** "exercise.test", e.g. "2.3": Gradescope sorts and labels tests by it. */
  number: string;
}

/** The whole `results.json`. */
export interface GradescopeResults {
  /** Total points; set explicitly so it is exactly the report's total. */
  score: number;
  /** Seconds, whole. */
  execution_time: number;
  /** Text above the tests: the score line and what went wrong around the tests. */
  output: string;
  visibility: GradescopeVisibility;
  /**
   * The grader's stdout stays hidden from learners: it can print hidden tests' names and
   * messages before grades are published.
   */
  stdout_visibility: GradescopeVisibility;
  tests: GradescopeTest[];
}

/**
 * Maps a grading report to Gradescope's `results.json`. Public tests are `visible`; hidden
 * tests (`hidden: true`) are `after_published`, so their names and messages appear only when
 * the instructor publishes grades. An exercise that produced no tests at all (its test file
 * did not load) still appears, as a 0/0 entry carrying the reason, so the learner sees why.
 * Pure: same report, same object.
 */
export function toGradescopeResults(report: GradeReport): GradescopeResults {
  const tests: GradescopeTest[] = [];
  for (const exercise of report.exercises) {
    const exerciseNumber = numberOf(exercise.exercise);
    exercise.tests.forEach((test, i) => {
      tests.push(gradescopeTest(test, `${exerciseNumber}.${i + 1}`));
    });
    if (exercise.tests.length === 0) tests.push(emptyExerciseEntry(exercise, exerciseNumber));
  }
  const wallMs = report.exercises.reduce((sum, e) => sum + e.wallMs, 0);
  return {
    score: report.points,
    execution_time: Math.round(wallMs / 1000),
    output: summary(report),
    visibility: "visible",
    stdout_visibility: "hidden",
    tests,
  };
}

function gradescopeTest(test: TestResult, number: string): GradescopeTest {
  return {
    name: `${test.exercise}: ${test.name}`,
    score: test.points,
    max_score: test.maxPoints,
    status: test.status === "passed" ? "passed" : "failed",
    output: testOutput(test),
    visibility: test.hidden === true ? "after_published" : "visible",
    tags: [test.exercise],
    number,
  };
}

function emptyExerciseEntry(exercise: ExerciseResult, number: string): GradescopeTest {
  return {
    name: `${exercise.exercise}: could not be graded`,
    score: 0,
    max_score: exercise.maxPoints,
    status: "failed",
    output: exerciseNote(exercise) || "no graded test ran",
    visibility: "visible",
    tags: [exercise.exercise],
    number: `${number}.0`,
  };
}

/** "ex02-framing" → "2"; anything else keeps its slug (still a valid label). */
function numberOf(slug: string): string {
  const match = /^ex(\d+)/.exec(slug);
  return match?.[1] !== undefined ? String(Number(match[1])) : slug;
}

function summary(report: GradeReport): string {
  const lines = report.exercises.map((e) => {
    const note = exerciseNote(e);
    return `${e.exercise}: ${e.points}/${e.maxPoints}${note ? `\n  ${note}` : ""}`;
  });
  lines.push(`Score: ${report.points}/${report.maxPoints}`);
  return lines.join("\n");
}
