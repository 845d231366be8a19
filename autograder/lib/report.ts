/**
 * The human-readable grading report: one line per test with its points, and under each failure
 * the message (the step, expected vs got) and the hint; then `Score: x/y`.
 */
import type { ExerciseResult, GradeReport, TestResult } from "./result";

const INDENT = "         ";

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => (line ? prefix + line : line))
    .join("\n");
}

/** The lines for one test: `  OK   2/2  name`, and on failure its message and hint. */
export function formatTest(test: TestResult): string {
  const label = test.status === "passed" ? "OK  " : "FAIL";
  const points = `${test.points}/${test.maxPoints}`.padStart(5);
  const lines = [`  ${label} ${points}  ${test.name}`];
  if (test.status !== "passed") {
    if (test.message) lines.push(indent(test.message, INDENT));
    if (test.hint) lines.push(`${INDENT}hint: ${test.hint}`);
  }
  return lines.join("\n");
}

/** The block for one exercise: a heading, its tests, any note, and its subtotal. */
export function formatExercise(result: ExerciseResult): string {
  const lines = [result.exercise, ...result.tests.map(formatTest)];
  if (result.note) lines.push(indent(`note: ${result.note}`, "  "));
  const seconds = (result.wallMs / 1000).toFixed(1);
  lines.push(`  ${result.exercise}: ${result.points}/${result.maxPoints}  (${seconds} s)`, "");
  return lines.join("\n");
}

/** The closing line of a run. */
export function formatScore(report: GradeReport): string {
  return `Score: ${report.points}/${report.maxPoints}`;
}

/** True when the run earned every point and nothing went wrong around the tests. */
export function isFullMarks(report: GradeReport): boolean {
  return (
    report.maxPoints > 0 &&
    report.points === report.maxPoints &&
    report.exercises.every((e) => e.tests.length > 0 && e.note === undefined)
  );
}
