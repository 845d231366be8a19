/**
 * The results folder of a batch: `<student>.json` (the grader's report) and, for another
 * format, `<student>.<format>.json`. Files are written whole or not at all (a temporary file
 * renamed into place), so a batch killed mid-write resumes cleanly.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { SubmissionReport } from "../lib/grade-submission";
import { formatReport, type OutputFormat } from "../lib/output-format";
import type { TestFile } from "../lib/test-manifest";

/** A stored result: the report and what it was graded against. */
export interface StoredResult extends SubmissionReport {
  student: string;
  /** Identifies the tests graded (see {@link testsFingerprint}); a change means "regrade". */
  testsFingerprint: string;
}

/**
 * A hash of the graded test files' contents and the manifest: results graded against other
 * tests (an edited test, another exercise selection) are not reused by a resumed batch.
 */
export function testsFingerprint(manifest: readonly TestFile[]): string {
  const hash = createHash("sha256");
  for (const file of manifest) {
    hash.update(file.file).update("\0").update(fs.readFileSync(file.file)).update("\0");
    hash.update(JSON.stringify(file.tests));
  }
  return hash.digest("hex").slice(0, 16);
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Where `student`'s report lives. */
export function resultFile(resultsDir: string, student: string): string {
  return path.join(resultsDir, `${student}.json`);
}

/** `student`'s stored result, if there is a readable one. */
export function readResult(resultsDir: string, student: string): StoredResult | undefined {
  try {
    return JSON.parse(fs.readFileSync(resultFile(resultsDir, student), "utf8")) as StoredResult;
  } catch {
    return undefined;
  }
}

/** Writes `result` and, unless the format is the report itself, its `format` version. */
export function writeResult(resultsDir: string, result: StoredResult, format: OutputFormat): void {
  if (format !== "json") {
    writeAtomically(
      path.join(resultsDir, `${result.student}.${format}.json`),
      formatReport(result, format),
    );
  }
  // The report last: its presence is what marks the student as graded.
  writeAtomically(resultFile(resultsDir, result.student), JSON.stringify(result, null, 2) + "\n");
}
