/**
 * `npm run grade`: the instructor's grader. Grades a learner's submission (a folder holding the
 * `exNN-slug/` folders, or a .zip of it) in a sandbox, without touching this checkout, and
 * writes the result for an LMS; or grades a whole class.
 *
 *   npm run grade -- --submission DIR|ZIP [--exercises ex02,ex03] [--out results.json]
 *                    [--format gradescope|prairielearn|json] [--jobs N]
 *   npm run grade -- --batch DIR [--jobs N] [--results DIR] [--force] [--format ...]
 *
 * Options (both modes):
 *   --exercises <list>   exercises to grade (ex02, ex02-framing or 2; default all)
 *   --jobs <n>           sandboxed runs at once (one test file each; default: cores, up to 4)
 *   --public-only        leave out the hidden tests (autograder/hidden/)
 *   --time-limit <s>     wall-clock limit of each test file's run (default 300)
 *   --memory-limit <MiB> memory limit of each run (default 2048)
 *   --task-limit <n>     processes and threads of each run (default 1024)
 *   --verbose            copy the runs' output to stderr
 *
 * Exit status: 0 when every submission was graded (whatever its score), 1 when the grader
 * itself failed, 2 when the command line is wrong.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { runBatch } from "./batch/run-batch";
import { formatDuration } from "./batch/progress";
import { selectExercises } from "./lib/exercises";
import type { SubmissionReport } from "./lib/grade-submission";
import { gradeInPool, type PoolOutcome } from "./lib/grading-pool";
import { openGradingSession } from "./lib/grading-session";
import {
  DEFAULT_EXERCISE_LIMIT_MS,
  DEFAULT_MEMORY_LIMIT_BYTES,
  DEFAULT_TASK_LIMIT,
} from "./lib/limits";
import { formatReport, parseOutputFormat, type OutputFormat } from "./lib/output-format";
import { formatExercise, formatScore } from "./lib/report";
import type { RunLimits } from "./lib/run-graded-file";
import { killAllRunsNow } from "./sandbox/run-sandboxed";
import { MAX_SANDBOX_SLOTS } from "./sandbox/sandbox-uid";
import { Workspace } from "./sandbox/workspace";

/** Runs at once by default: one per core, up to four (runs start many processes each). */
const DEFAULT_JOBS = Math.min(4, Math.max(1, os.availableParallelism()));

const USAGE = `usage:
  npm run grade -- --submission DIR|ZIP [--exercises ex02,ex03] [--out results.json]
                   [--format gradescope|prairielearn|json] [--jobs N]
  npm run grade -- --batch DIR [--jobs N] [--results DIR] [--force] [--format ...]
options: --exercises <list>  --public-only  --time-limit <s> (300)  --memory-limit <MiB> (2048)
         --task-limit <n> (1024)  --verbose`;

interface GradeOptions {
  submission?: string;
  batch?: string;
  exercises: string[];
  publicOnly: boolean;
  out?: string;
  format: OutputFormat;
  jobs: number;
  results?: string;
  force: boolean;
  limits: RunLimits;
  verbose: boolean;
}

function positive(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(value > 0)) throw new Error(`${name} must be a positive number, got "${text}"`);
  return value;
}

function parseCommandLine(argv: string[]): GradeOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      submission: { type: "string" },
      batch: { type: "string" },
      exercises: { type: "string" },
      "public-only": { type: "boolean", default: false },
      out: { type: "string" },
      format: { type: "string", default: "gradescope" },
      jobs: { type: "string" },
      results: { type: "string" },
      force: { type: "boolean", default: false },
      "time-limit": { type: "string" },
      "memory-limit": { type: "string" },
      "task-limit": { type: "string" },
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if ((values.submission === undefined) === (values.batch === undefined)) {
    throw new Error("give exactly one of --submission and --batch");
  }
  const jobs = positive(values.jobs, DEFAULT_JOBS, "--jobs");
  if (!Number.isInteger(jobs) || jobs > MAX_SANDBOX_SLOTS) {
    throw new Error(`--jobs must be a whole number from 1 to ${MAX_SANDBOX_SLOTS}`);
  }
  const options: GradeOptions = {
    exercises: selectExercises(values.exercises ? values.exercises.split(",").filter(Boolean) : []),
    publicOnly: values["public-only"],
    format: parseOutputFormat(values.format),
    jobs,
    force: values.force,
    limits: {
      wallMs:
        positive(values["time-limit"], DEFAULT_EXERCISE_LIMIT_MS / 1000, "--time-limit") * 1000,
      memoryBytes: Math.round(
        positive(values["memory-limit"], DEFAULT_MEMORY_LIMIT_BYTES / 1024 ** 2, "--memory-limit") *
          1024 ** 2,
      ),
      tasks: Math.round(positive(values["task-limit"], DEFAULT_TASK_LIMIT, "--task-limit")),
    },
    verbose: values.verbose,
  };
  const exists = (p: string): string => {
    if (!fs.existsSync(p)) throw new Error(`${p} does not exist`);
    return path.resolve(p);
  };
  if (values.submission !== undefined) options.submission = exists(values.submission);
  if (values.batch !== undefined) options.batch = exists(values.batch);
  if (values.out !== undefined) options.out = path.resolve(values.out);
  if (values.results !== undefined) options.results = path.resolve(values.results);
  return options;
}

function printReport(report: SubmissionReport): void {
  for (const exercise of report.exercises) console.log(formatExercise(exercise));
  for (const note of report.notes) console.log(`note: ${note}`);
  console.log(`${formatScore(report)}  (graded in ${(report.wallMs / 1000).toFixed(1)} s)`);
}

/**
 * On Ctrl-C or SIGTERM: kill every sandboxed process, remove the workspaces, and exit without
 * writing results for the submissions in progress (a resumed batch grades them again).
 */
function stopOnSignals(): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      const runs = killAllRunsNow();
      Workspace.removeAll();
      console.error(`\ninterrupted: stopped ${runs} run(s); nothing was written for them`);
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  }
}

async function main(): Promise<number> {
  let options: GradeOptions;
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  stopOnSignals();
  const batchResults = options.batch
    ? (options.results ?? path.join(options.batch, "results"))
    : undefined;
  const session = await openGradingSession({
    exercises: options.exercises,
    publicOnly: options.publicOnly,
    limits: options.limits,
    // Other submissions, and the results of others, are none of a submission's business.
    extraHiddenDirs: [
      options.batch ?? path.dirname(options.submission as string),
      batchResults,
    ].filter((d): d is string => d !== undefined),
    verbose: options.verbose,
  });
  try {
    console.log(`Isolation:\n${session.plan.report.map((line) => `  ${line}`).join("\n")}\n`);
    if (options.submission !== undefined) {
      console.log(`Grading ${options.submission} (${options.exercises.join(", ")})\n`);
      let outcome: PoolOutcome | undefined;
      const entry = { key: "submission", source: options.submission };
      await gradeInPool([entry], session, options.jobs, (o) => (outcome = o));
      if (!outcome || "error" in outcome) throw outcome?.error ?? new Error("not graded");
      const report = outcome.report;
      printReport(report);
      if (options.out !== undefined) {
        fs.writeFileSync(options.out, formatReport(report, options.format));
        console.log(`Wrote ${options.out} (${options.format})`);
      }
      return 0;
    }
    const resultsDir = batchResults as string;
    console.log(`Grading ${options.batch} into ${resultsDir}, ${options.jobs} runs at a time\n`);
    const summary = await runBatch({
      batchDir: options.batch as string,
      resultsDir,
      jobs: options.jobs,
      force: options.force,
      format: options.format,
      setup: session,
      progress: process.stdout,
    });
    const times = summary.graded.map((r) => r.wallMs).sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(
      `\nGraded ${summary.graded.length}, skipped ${summary.skipped.length}, failed ` +
        `${summary.failed.length} in ${formatDuration(summary.wallMs)}` +
        (median === undefined
          ? ""
          : `; per submission: median ${(median / 1000).toFixed(1)} s, ` +
            `longest ${((times[times.length - 1] as number) / 1000).toFixed(1)} s`),
    );
    console.log(`Wrote ${path.join(resultsDir, "gradebook.csv")}`);
    for (const { student, error } of summary.failed) console.error(`${student}: ${error}`);
    return summary.failed.length > 0 ? 1 : 0;
  } finally {
    await session.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
