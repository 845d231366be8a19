/**
 * `npm run check:speed -- [ex05 ...] [options]`: runs the speed tests, the floors an exercise's
 * solution should reach on a quiet machine, and prints them as `npm run check` prints graded
 * tests. Speed tests live in `autograder/speed/exNN-slug.speed.test.ts`, apart from the graded
 * tests: `check` and `grade` never run them, because a speed floor depends on the machine and
 * on whatever else runs on it. No exercise named means every exercise that has one. Grades
 * `exercises/` unless IPC_EXERCISES_DIR names another directory.
 *
 * Options:
 *   --time-limit <s>     wall-clock limit per exercise run (default 300)
 *   --verbose            show jest's output and the stderr of every process the tests start
 *
 * Exit status: 0 when every speed test passes, 1 otherwise, 2 when the command line is wrong.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { collectResults } from "./lib/collect-results";
import { EXERCISES_DIR_ENV, REPO_ROOT, exercisesDir } from "./lib/exercise-path";
import { selectExercises } from "./lib/exercises";
import { GRADER_EVENTS_ENV, readEvents } from "./lib/grader-events";
import { DEFAULT_EXERCISE_LIMIT_MS } from "./lib/limits";
import { formatExercise, formatScore, isFullMarks } from "./lib/report";
import { sumPoints, type ExerciseResult, type GradeReport } from "./lib/result";
import type { JestJson } from "./lib/run-jest";

/** Where the speed tests live. */
export const SPEED_DIR = path.join(REPO_ROOT, "autograder", "speed");

const JEST_BIN = path.join(REPO_ROOT, "node_modules", "jest", "bin", "jest.js");
const JEST_CONFIG = path.join(REPO_ROOT, "autograder", "jest.grading.config.js");

const USAGE =
  "usage: npm run check:speed -- [exercise ...] [--time-limit <s>] [--verbose]\n" +
  "  exercise: ex05, ex05-task-farm or 5; none means every exercise with a speed test";

/** The speed test file of `slug`. */
export function speedFileOf(slug: string): string {
  return path.join(SPEED_DIR, `${slug}.speed.test.ts`);
}

/** Slugs that have a speed test, named by `selectors` (as for `check`); all when none. */
export function selectSpeedTests(selectors: readonly string[]): string[] {
  const withSpeed = selectExercises([]).filter((slug) => fs.existsSync(speedFileOf(slug)));
  if (selectors.length === 0) return withSpeed;
  const chosen = selectExercises(selectors);
  const missing = chosen.filter((slug) => !withSpeed.includes(slug));
  if (missing.length > 0) {
    throw new Error(
      `no speed test for ${missing.join(", ")}; speed tests exist for: ${withSpeed.join(", ")}`,
    );
  }
  return chosen;
}

/** What one exercise's speed test run produced. */
interface SpeedRun {
  result: ExerciseResult;
  /** The measurements the test printed: its `console.log` lines starting "exNN speed:". */
  measurements: string[];
}

/** Runs one exercise's speed test file in jest, in its own process group, within `limitMs`. */
async function runSpeedTest(slug: string, limitMs: number, verbose: boolean): Promise<SpeedRun> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-speed-"));
  const eventsFile = path.join(tmp, "events.jsonl");
  const jsonFile = path.join(tmp, "jest.json");
  const args = [
    JEST_BIN,
    "--config",
    JEST_CONFIG,
    // The grading configuration matches the graded tests only; point it at the speed tests.
    "--testMatch",
    "<rootDir>/autograder/speed/*.speed.test.ts",
    "--runInBand",
    "--ci",
    "--forceExit",
    "--json",
    "--outputFile",
    jsonFile,
    speedFileOf(slug),
  ];
  const started = Date.now();
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      [EXERCISES_DIR_ENV]: exercisesDir(),
      [GRADER_EVENTS_ENV]: eventsFile,
      FORCE_COLOR: "0",
    },
  });
  let log = "";
  const collect = (chunk: Buffer): void => {
    log += chunk.toString("utf8");
    if (verbose) process.stderr.write(chunk);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const killGroup = (): void => {
    try {
      process.kill(-(child.pid ?? 0), "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  let stopReason: string | undefined;
  const timer = setTimeout(() => {
    stopReason = `the speed test run was stopped at its time limit of ${limitMs / 1000} s`;
    killGroup();
  }, limitMs);
  await new Promise<void>((resolve) => child.once("close", () => resolve()));
  clearTimeout(timer);
  // Whatever the tests started and left behind is in the group: it goes too.
  killGroup();
  let jest: JestJson | undefined;
  try {
    jest = JSON.parse(fs.readFileSync(jsonFile, "utf8")) as JestJson;
  } catch {
    jest = undefined;
  }
  const events = readEvents(eventsFile);
  fs.rmSync(tmp, { recursive: true, force: true });
  const run = { events, jest, log, strayProcesses: [], wallMs: Date.now() - started };
  const prefix = `${slug.slice(0, 4)} speed:`;
  return {
    result: collectResults(slug, stopReason === undefined ? run : { ...run, stopReason }),
    measurements: log
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.startsWith(prefix)),
  };
}

async function main(): Promise<void> {
  let slugs: string[];
  let limitMs: number;
  let verbose: boolean;
  try {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        "time-limit": { type: "string" },
        verbose: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return;
    }
    limitMs = Number(values["time-limit"] ?? DEFAULT_EXERCISE_LIMIT_MS / 1000) * 1000;
    if (!(limitMs > 0)) throw new Error("--time-limit must be a positive number of seconds");
    verbose = values.verbose;
    slugs = selectSpeedTests(positionals);
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const dir = exercisesDir();
  console.log(`Speed tests of ${path.relative(process.cwd(), dir) || dir} (${dir})\n`);
  const results: ExerciseResult[] = [];
  for (const slug of slugs) {
    const { result, measurements } = await runSpeedTest(slug, limitMs, verbose);
    // What was measured, for the record, pass or fail.
    for (const line of measurements) console.log(line);
    console.log(formatExercise(result));
    results.push(result);
  }
  const report: GradeReport = { exercisesDir: dir, exercises: results, ...sumPoints(results) };
  console.log(formatScore(report));
  process.exitCode = isFullMarks(report) ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 2;
});
