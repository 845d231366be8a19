/**
 * `gradebook.csv`: one row per student, the points of each exercise, and the total, in the
 * form spreadsheets and LMS imports read (RFC 4180 quoting, CRLF line ends).
 */
import type { StoredResult } from "./result-store";

/** Quotes a CSV field when it needs it. */
function field(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The gradebook of `results` for `exercises` (slugs, the column order). An exercise missing
 * from a result (graded with another selection) is an empty cell.
 *
 * @example
 * gradebookCsv(["ex02-framing"], [alice]); // "student,ex02-framing,total\r\nalice,20,20\r\n"
 */
export function gradebookCsv(
  exercises: readonly string[],
  results: readonly StoredResult[],
): string {
  const rows = [["student", ...exercises, "total"].map(field).join(",")];
  for (const result of [...results].sort((a, b) => a.student.localeCompare(b.student))) {
    const cells = exercises.map((slug) => {
      const exercise = result.exercises.find((e) => e.exercise === slug);
      return exercise === undefined ? "" : exercise.points;
    });
    rows.push([result.student, ...cells, result.points].map(field).join(","));
  }
  return rows.join("\r\n") + "\r\n";
}
