/**
 * `npm run check -- [ex02 ex03 ...] [options]`: grades exercises and prints, per test, OK/FAIL
 * with points (and, on failure, the step, expected vs got and a hint), then `Score: x/y`.
 * No exercise named means all. Grades `exercises/` unless IPC_EXERCISES_DIR names another
 * directory (the self-test points it at `autograder/solutions/`).
 *
 * Options:
 *   --test <text>        run only tests whose name contains <text>
 *   --time-limit <s>     wall-clock limit per exercise run (default 300)
 *   --json <file>        also write the report as JSON (the `GradeReport` of lib/result.ts)
 *   --verbose            show jest's output and the stderr of every process the tests start
 *
 * Exit status: 0 at full marks, 1 below, 2 when the command line is wrong.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { collectResults } from "./lib/collect-results";
import { exercisesDir } from "./lib/exercise-path";
import { selectExercises, testFileOf } from "./lib/exercises";
import { DEFAULT_EXERCISE_LIMIT_MS } from "./lib/limits";
import { formatExercise, formatScore, isFullMarks } from "./lib/report";
import { sumPoints, type ExerciseResult, type GradeReport } from "./lib/result";
import { runJest } from "./lib/run-jest";

const USAGE =
  "usage: npm run check -- [exercise ...] [--test <text>] [--time-limit <s>] [--json <file>] " +
  "[--verbose]\n  exercise: ex02, ex02-framing or 2; none means all";

interface CheckOptions {
  exercises: string[];
  testFilter?: string;
  timeLimitMs: number;
  jsonFile?: string;
  verbose: boolean;
}

function parseCommandLine(argv: string[]): CheckOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      test: { type: "string" },
      "time-limit": { type: "string" },
      json: { type: "string" },
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const seconds = Number(values["time-limit"] ?? DEFAULT_EXERCISE_LIMIT_MS / 1000);
  if (!(seconds > 0)) throw new Error(`--time-limit must be a positive number of seconds`);
  const options: CheckOptions = {
    exercises: selectExercises(positionals),
    timeLimitMs: seconds * 1000,
    verbose: values.verbose,
  };
  if (values.test !== undefined) options.testFilter = values.test;
  if (values.json !== undefined) options.jsonFile = path.resolve(values.json);
  return options;
}

async function gradeExercise(slug: string, options: CheckOptions): Promise<ExerciseResult> {
  const run = await runJest({
    testFile: testFileOf(slug),
    exercisesDir: exercisesDir(),
    timeLimitMs: options.timeLimitMs,
    verbose: options.verbose,
    ...(options.testFilter !== undefined ? { testFilter: options.testFilter } : {}),
  });
  const result = collectResults(slug, run, options.testFilter);
  if (result.tests.length === 0 && result.note === undefined) {
    result.note = `no test of ${slug} has "${options.testFilter}" in its name`;
  }
  return result;
}

async function main(): Promise<void> {
  let options: CheckOptions;
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const dir = exercisesDir();
  const shown = path.relative(process.cwd(), dir);
  console.log(`Grading ${shown && !shown.startsWith("..") ? `${shown} (${dir})` : dir}\n`);
  const results: ExerciseResult[] = [];
  for (const slug of options.exercises) {
    const result = await gradeExercise(slug, options);
    console.log(formatExercise(result));
    results.push(result);
  }
  const report: GradeReport = { exercisesDir: dir, exercises: results, ...sumPoints(results) };
  console.log(formatScore(report));
  if (options.jsonFile) fs.writeFileSync(options.jsonFile, JSON.stringify(report, null, 2) + "\n");
  process.exitCode = isFullMarks(report) ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 2;
});
