/**
 * Grading a class: every submission of a batch folder, `jobs` sandboxed runs at a time, with
 * results written per student as soon as they are known, a gradebook at the end, and a
 * resumable state (students with a result for the same tests are skipped).
 * A crash or hang in one submission is that submission's result; the batch goes on.
 */
import * as fs from "node:fs";
import type { GradingSetup } from "../lib/grade-submission";
import { gradeInPool } from "../lib/grading-pool";
import type { OutputFormat } from "../lib/output-format";
import { gradebookCsv } from "./gradebook";
import { BatchProgress, type ProgressOutput } from "./progress";
import { readResult, testsFingerprint, writeResult, type StoredResult } from "./result-store";
import { listStudents } from "./students";

/** Options of {@link runBatch}. */
export interface BatchOptions {
  batchDir: string;
  resultsDir: string;
  /** Sandboxed runs at once (see `lib/grading-pool.ts`). */
  jobs: number;
  /** Grade again students who already have a result. */
  force: boolean;
  format: OutputFormat;
  setup: GradingSetup;
  progress: ProgressOutput;
}

/** What a batch did. */
export interface BatchSummary {
  graded: StoredResult[];
  /** Students skipped because they already had a result for the same tests. */
  skipped: string[];
  /** Students the grader itself failed on (a bug or a full disk, not the submission). */
  failed: { student: string; error: string }[];
  wallMs: number;
}

/** "alice: 37/50 in 41.2 s (ex03-prime-sieve: timed-out)". */
function summaryLine(result: StoredResult): string {
  const problems = result.exercises
    .filter((e) => e.outcome !== undefined && e.outcome !== "graded")
    .map((e) => `${e.exercise}: ${e.outcome}`);
  const seconds = (result.wallMs / 1000).toFixed(1);
  const extra = problems.length > 0 ? ` (${problems.join(", ")})` : "";
  return `${result.student}: ${result.points}/${result.maxPoints} in ${seconds} s${extra}`;
}

/**
 * Grades every submission in `options.batchDir` and writes `<student>.json`, the chosen
 * format, and `gradebook.csv` into `options.resultsDir`.
 */
export async function runBatch(options: BatchOptions): Promise<BatchSummary> {
  const started = Date.now();
  fs.mkdirSync(options.resultsDir, { recursive: true });
  const students = listStudents(options.batchDir, [options.resultsDir]);
  const fingerprint = testsFingerprint(options.setup.manifest);
  const skipped: string[] = [];
  const queue = students.filter(({ student }) => {
    const stored = readResult(options.resultsDir, student);
    const keep = !options.force && stored?.testsFingerprint === fingerprint;
    if (keep) skipped.push(student);
    return !keep;
  });
  if (skipped.length > 0) {
    options.progress.write(
      `${skipped.length} of ${students.length} already graded against these tests, skipped ` +
        `(--force grades them again)\n`,
    );
  }
  const progress = new BatchProgress(queue.length, options.progress);
  progress.start();
  const graded: StoredResult[] = [];
  const failed: BatchSummary["failed"] = [];
  await gradeInPool(
    queue.map(({ student, source }) => ({ key: student, source })),
    options.setup,
    options.jobs,
    (outcome) => {
      if ("error" in outcome) {
        const error = outcome.error.stack ?? outcome.error.message;
        failed.push({ student: outcome.key, error });
        progress.finished(
          `${outcome.key}: NOT GRADED, the grader failed: ${outcome.error.message}`,
        );
        return;
      }
      const result: StoredResult = {
        student: outcome.key,
        testsFingerprint: fingerprint,
        ...outcome.report,
      };
      try {
        writeResult(options.resultsDir, result, options.format);
        graded.push(result);
        progress.finished(summaryLine(result));
      } catch (err) {
        failed.push({ student: outcome.key, error: String(err) });
        progress.finished(`${outcome.key}: NOT SAVED: ${String(err)}`);
      }
    },
  );
  progress.end();

  const exercises = [...new Set(options.setup.manifest.map((f) => f.exercise))];
  const all = students
    .map(({ student }) => readResult(options.resultsDir, student))
    .filter((r): r is StoredResult => r !== undefined);
  const gradebook = `${options.resultsDir}/gradebook.csv`;
  fs.writeFileSync(`${gradebook}.tmp`, gradebookCsv(exercises, all));
  fs.renameSync(`${gradebook}.tmp`, gradebook);
  return { graded, skipped, failed, wallMs: Date.now() - started };
}
