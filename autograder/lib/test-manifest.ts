/**
 * The list of graded tests, their points, time limits and hints, read from a trusted jest run
 * that loads no code under test: every test is declared at collection, and a name pattern that
 * matches no test keeps every body from running. `grade.ts` takes points and the test list from
 * here, never from a run of a submission (which could declare what it likes).
 *
 * The same run fills a jest cache with the transformed test files and kernel-lib, which each
 * sandboxed run then starts from.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXERCISES_DIR_ENV, REPO_ROOT } from "./exercise-path";
import { testFileOf } from "./exercises";
import type { Stage } from "../sandbox/stage";
import { GRADER_EVENTS_ENV, readEvents, type DeclareEvent } from "./grader-events";

/** Where the hidden tests live (never released to learners). */
export const HIDDEN_TESTS_DIR = path.join(REPO_ROOT, "autograder", "hidden");

/** The jest configuration of sandboxed runs (also used here, so the cache fits them). */
export const SANDBOX_JEST_CONFIG = path.join(
  REPO_ROOT,
  "autograder",
  "sandbox",
  "jest.sandbox.config.js",
);

/** Jest's command-line entry point. */
export const JEST_BIN = path.join(REPO_ROOT, "node_modules", "jest", "bin", "jest.js");

/** One graded test file and the tests it declares. */
export interface TestFile {
  exercise: string;
  file: string;
  hidden: boolean;
  tests: DeclareEvent[];
}

/**
 * The test files of `slug`: the public one, then the hidden one when it exists (and
 * `withHidden`).
 */
export function testFilesOf(slug: string, withHidden = true): { file: string; hidden: boolean }[] {
  const files = [{ file: testFileOf(slug), hidden: false }];
  const hidden = path.join(HIDDEN_TESTS_DIR, `${slug}.test.ts`);
  if (withHidden && fs.existsSync(hidden)) files.push({ file: hidden, hidden: true });
  return files;
}

/** A test name no graded test has, so jest collects every test and runs none. */
const NO_TEST = "^ipc-grade: collect only, run nothing$";

/**
 * Declares every test of `exercises` (public and hidden) in one jest run and returns them per
 * file, in exercise order. The run uses the stage's configuration and cache paths, the ones
 * sandboxed runs see, so the cache it fills fits them. Rejects, with jest's output, when a
 * test file declares nothing (it failed to load, or it loads exercise code at import).
 */
export async function readTestManifest(
  exercises: readonly string[],
  stage: Stage,
  withHidden = true,
): Promise<TestFile[]> {
  const files = exercises.flatMap((exercise) =>
    testFilesOf(exercise, withHidden).map((f) => ({ ...f, exercise })),
  );
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-manifest-"));
  const eventsFile = path.join(tmp, "events.jsonl");
  // The stage's exercises folder is empty on the host: no code under test to load.
  const emptyDir = stage.exercisesDir;
  try {
    const args = [JEST_BIN, "--config", stage.jestConfig, "--runInBand", "--ci"];
    args.push("--cacheDirectory", stage.cacheDir, "--testNamePattern", NO_TEST);
    args.push(...files.map((f) => f.file));
    const log = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, args, {
        // As sandboxed runs have it: jest's cache keys include the working directory.
        cwd: stage.runDir,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...process.env,
          [GRADER_EVENTS_ENV]: eventsFile,
          [EXERCISES_DIR_ENV]: emptyDir,
          FORCE_COLOR: "0",
        },
      });
      let text = "";
      child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
      child.on("close", () => resolve(text));
      child.on("error", (err) => resolve(String(err)));
    });
    const declared = readEvents(eventsFile).filter((e): e is DeclareEvent => e.type === "declare");
    return files.map((f) => {
      const tests = declared.filter((d) => d.file === f.file);
      if (tests.length === 0) {
        throw new Error(
          `${path.relative(REPO_ROOT, f.file)} declares no graded test (it must load and must ` +
            `not run exercise code at import):\n${log.slice(-3000)}`,
        );
      }
      return { ...f, tests };
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
