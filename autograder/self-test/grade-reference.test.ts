/**
 * `npm run grade` on the reference solutions and on the starters, every exercise, as two
 * students of one batch: the sandbox must not cost a correct solution a single point (worker
 * threads, child processes, pipes, sockets and shared memory all still work in it), and the
 * starters must score zero, every test failing at once with something to read. Public tests
 * only, to keep the self-test short: `drift-hidden.test.ts` runs the hidden tests on both,
 * and `grade-cli.test.ts` runs them through grade.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { StoredResult } from "../batch/result-store";
import { REPO_ROOT } from "../lib/exercise-path";
import { listExercises } from "../lib/exercises";
import { leftoverProcesses, runGrade, type GradeRun } from "./run-grade";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-grade-reference-"));
const batch = path.join(tmp, "class");
const results = path.join(tmp, "results");
let run: GradeRun;

beforeAll(async () => {
  fs.cpSync(path.join(REPO_ROOT, "autograder", "solutions"), path.join(batch, "reference"), {
    recursive: true,
  });
  fs.cpSync(path.join(REPO_ROOT, "exercises"), path.join(batch, "starters"), { recursive: true });
  run = await runGrade(
    [
      ...["--batch", batch, "--results", results, "--jobs", "2", "--public-only"],
      ...["--format", "prairielearn"],
    ],
    400_000,
  );
}, 420_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const resultOf = (student: string): StoredResult =>
  JSON.parse(fs.readFileSync(path.join(results, `${student}.json`), "utf8")) as StoredResult;

/** One line per test that did not pass, for failure messages. */
const failures = (result: StoredResult): string =>
  result.exercises
    .flatMap((e) => [
      ...(e.note ? [`${e.exercise} note: ${e.note}`] : []),
      ...e.tests
        .filter((t) => t.status !== "passed")
        .map((t) => `${e.exercise} / ${t.name}: ${t.status}: ${t.message}`),
    ])
    .join("\n");

it("gives every reference solution full marks", () => {
  if (run.exitCode !== 0) throw new Error(`exit ${run.exitCode}:\n${run.stdout}\n${run.stderr}`);
  const reference = resultOf("reference");
  if (reference.points !== reference.maxPoints) {
    throw new Error(
      `expected full marks, got ${reference.points}/${reference.maxPoints}:\n${failures(reference)}`,
    );
  }
  expect(reference.exercises.map((e) => e.exercise)).toEqual(listExercises());
  for (const exercise of reference.exercises) {
    expect({ exercise: exercise.exercise, outcome: exercise.outcome, note: exercise.note }).toEqual(
      {
        exercise: exercise.exercise,
        outcome: "graded",
        note: undefined,
      },
    );
  }
  const prairieLearn = JSON.parse(
    fs.readFileSync(path.join(results, "reference.prairielearn.json"), "utf8"),
  ) as { gradable: boolean; score: number };
  expect(prairieLearn).toMatchObject({ gradable: true, score: 1 });
});

it("gives every starter zero, each test failing at once on its TODOs", () => {
  const starters = resultOf("starters");
  expect(starters.points).toBe(0);
  expect(starters.maxPoints).toBe(resultOf("reference").maxPoints);
  for (const exercise of starters.exercises) {
    expect({ exercise: exercise.exercise, outcome: exercise.outcome }).toEqual({
      exercise: exercise.exercise,
      outcome: "graded",
    });
    for (const test of exercise.tests) {
      expect({ name: test.name, status: test.status }).toEqual({
        name: test.name,
        status: "failed",
      });
      expect(test.message).toMatch(/TODO|expected/i);
    }
  }
});

it("reports the time each submission took, and leaves nothing running", () => {
  expect(run.stdout).toMatch(/reference: \d+\/\d+ in \d+\.\d s/);
  expect(run.stdout).toMatch(/starters: 0\/\d+ in \d+\.\d s/);
  expect(leftoverProcesses(run.pid)).toEqual([]);
});
