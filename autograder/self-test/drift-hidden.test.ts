/**
 * Self-test: the hidden tests (`autograder/hidden/`) and the reference solutions cannot drift
 * apart either. Every hidden test passes on the solutions and fails, at once, on the starters;
 * every hidden test file belongs to an exercise with public tests. Jest runs them as
 * `npm run grade` does: the grading configuration, one process, the code under test chosen by
 * IPC_EXERCISES_DIR.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXERCISES_DIR_ENV, REPO_ROOT } from "../lib/exercise-path";
import { listExercises } from "../lib/exercises";
import type { JestJson } from "../lib/run-jest";

const HIDDEN = path.join(REPO_ROOT, "autograder", "hidden");
const hiddenFiles = (): string[] => fs.readdirSync(HIDDEN).filter((f) => f.endsWith(".test.ts"));

interface HiddenRun {
  exitCode: number | null;
  /** "file: test name" → jest's status. */
  statuses: Map<string, string>;
  failures: string;
  output: string;
}

/** Runs every hidden test file against `exercisesDir`; kills the run after `limitMs`. */
async function runHidden(exercisesDir: string, limitMs: number): Promise<HiddenRun> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-hidden-"));
  const jsonFile = path.join(tmp, "jest.json");
  const jestBin = path.join(REPO_ROOT, "node_modules", "jest", "bin", "jest.js");
  const args = [
    jestBin,
    "--config",
    path.join(REPO_ROOT, "autograder", "jest.grading.config.js"),
    // The grading configuration matches the public tests only; point it at the hidden ones.
    "--testMatch",
    "<rootDir>/autograder/hidden/*.test.ts",
    "--runInBand",
    "--ci",
    "--json",
    "--outputFile",
    jsonFile,
  ];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, [EXERCISES_DIR_ENV]: exercisesDir, FORCE_COLOR: "0" },
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (t: string) => (output += t));
  child.stderr.setEncoding("utf8").on("data", (t: string) => (output += t));
  const killer = setTimeout(() => {
    try {
      process.kill(-(child.pid ?? 0), "SIGKILL");
    } catch {
      // Already gone.
    }
  }, limitMs);
  const exitCode = await new Promise<number | null>((resolve) => child.once("close", resolve));
  clearTimeout(killer);
  const statuses = new Map<string, string>();
  let failures = "";
  try {
    const report = JSON.parse(fs.readFileSync(jsonFile, "utf8")) as JestJson;
    for (const file of report.testResults) {
      for (const a of file.assertionResults) {
        statuses.set(`${path.basename(file.name)}: ${a.title}`, a.status);
        if (a.status !== "passed") failures += `${a.title}\n  ${a.failureMessages.join("\n  ")}\n`;
      }
      if (file.message && file.assertionResults.length === 0) failures += `${file.message}\n`;
    }
  } catch {
    failures = "jest wrote no report";
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { exitCode, statuses, failures, output };
}

it("has hidden tests only for exercises that have public tests", () => {
  const files = hiddenFiles();
  expect(files.length).toBeGreaterThan(0);
  const exercises = listExercises();
  for (const file of files) {
    expect({ file, known: exercises.includes(file.replace(/\.test\.ts$/, "")) }).toEqual({
      file,
      known: true,
    });
  }
});

it("passes every hidden test on the reference solutions", async () => {
  const run = await runHidden(path.join(REPO_ROOT, "autograder", "solutions"), 170_000);
  if (run.exitCode !== 0) {
    throw new Error(
      `hidden tests failed on the solutions (exit ${run.exitCode}):\n${run.failures}`,
    );
  }
  // Each file contributed tests: a file that failed to load would leave none.
  for (const file of hiddenFiles()) {
    const ofFile = [...run.statuses.keys()].filter((k) => k.startsWith(`${file}: `));
    expect({ file, tests: ofFile.length > 0 }).toEqual({ file, tests: true });
  }
  expect([...run.statuses.values()].every((s) => s === "passed")).toBe(true);
}, 180_000);

it("fails every hidden test on the starters, each within seconds", async () => {
  const started = Date.now();
  const run = await runHidden(path.join(REPO_ROOT, "exercises"), 90_000);
  expect(run.exitCode).toBe(1);
  expect(run.statuses.size).toBeGreaterThan(0);
  const passed = [...run.statuses].filter(([, s]) => s !== "failed").map(([name]) => name);
  expect({ notFailed: passed }).toEqual({ notFailed: [] });
  // Starters throw TODO at once: none of them may reach a test's time limit.
  expect(run.failures).not.toMatch(/timed out after/);
  expect(Date.now() - started).toBeLessThan(60_000);
}, 100_000);
