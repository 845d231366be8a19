/**
 * Grading a class: every submission of a batch folder, `jobs` at a time, each as its own
 * sandbox user, with results written per student as soon as they are known, a gradebook at
 * the end, and a resumable state (students with a result for the same tests are skipped).
 * A crash or hang in one submission is that submission's result; the batch goes on.
 */
import * as fs from "node:fs";
import { gradeSubmission, type GradingSetup } from "../lib/grade-submission";
import type { OutputFormat } from "../lib/output-format";
import { sandboxUid } from "../sandbox/sandbox-uid";
import { gradebookCsv } from "./gradebook";
import { BatchProgress, type ProgressOutput } from "./progress";
import { readResult, testsFingerprint, writeResult, type StoredResult } from "./result-store";
import { listStudents } from "./students";

/** Options of {@link runBatch}. */
export interface BatchOptions {
  batchDir: string;
  resultsDir: string;
  /** Submissions graded at once (each is one sandbox at a time). */
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
  let next = 0;
  const worker = async (slot: number): Promise<void> => {
    for (let i = next++; i < queue.length; i = next++) {
      const { student, source } = queue[i] as (typeof queue)[number];
      try {
        const report = await gradeSubmission(source, options.setup, sandboxUid(slot));
        const result: StoredResult = { student, testsFingerprint: fingerprint, ...report };
        writeResult(options.resultsDir, result, options.format);
        graded.push(result);
        progress.finished(summaryLine(result));
      } catch (err) {
        const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        failed.push({ student, error });
        progress.finished(`${student}: NOT GRADED, the grader failed: ${error.split("\n")[0]}`);
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(options.jobs, Math.max(1, queue.length)) }, (_, slot) =>
      worker(slot),
    ),
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
