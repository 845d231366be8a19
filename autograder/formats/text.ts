/**
 * Texts shared by the LMS exporters: a test's feedback and an exercise's note, in the words
 * `lib/report.ts` uses for people.
 */
import type { ExerciseResult, TestResult } from "../lib/result";

/** What a learner reads under a test: why it did not pass, then the hint. Empty when passed. */
export function testOutput(test: TestResult): string {
  if (test.status === "passed") return "";
  const parts: string[] = [];
  if (test.status === "not-run") parts.push("not run: the run stopped before this test");
  if (test.message) parts.push(test.message);
  if (test.hint) parts.push(`hint: ${test.hint}`);
  return parts.join("\n");
}

/**
 * What went wrong around an exercise's tests: the outcome (unless plainly graded) and the note.
 * Empty when nothing did.
 */
export function exerciseNote(exercise: ExerciseResult): string {
  const parts: string[] = [];
  if (exercise.outcome !== undefined && exercise.outcome !== "graded") {
    parts.push(`outcome: ${exercise.outcome}`);
  }
  if (exercise.note) parts.push(exercise.note);
  return parts.join("; ");
}
