/**
 * Self-test of the autograder: `check.ts` run as a learner runs it, against the reference
 * solutions (full marks expected) and against the starters in `exercises/` (zero expected).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../lib/exercise-path";
import { listExercises } from "../lib/exercises";
import { describeFailures, runCheck } from "./run-check";

const SOLUTIONS = path.join(REPO_ROOT, "autograder", "solutions");
const STARTERS = path.join(REPO_ROOT, "exercises");

/** The .ts files of one exercise folder. */
const codeFiles = (dir: string): string[] =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .sort();

it("keeps each reference solution in the same files as its starter", () => {
  expect(listExercises().length).toBeGreaterThan(0);
  for (const slug of listExercises()) {
    expect({ slug, files: codeFiles(path.join(SOLUTIONS, slug)) }).toEqual({
      slug,
      files: codeFiles(path.join(STARTERS, slug)),
    });
    expect(fs.existsSync(path.join(STARTERS, slug, "README.md"))).toBe(true);
  }
});

it("refuses an unknown exercise with exit status 2 and names the known ones", async () => {
  const run = await runCheck(["ex99"], STARTERS, 30_000);
  expect(run.exitCode).toBe(2);
  expect(run.stderr).toContain(`no exercise "ex99"; known: ${listExercises().join(", ")}`);
}, 40_000);

it("gives every reference solution full marks", async () => {
  const run = await runCheck([], SOLUTIONS, 200_000);
  const report = run.report;
  if (run.exitCode !== 0 || !report || report.points !== report.maxPoints) {
    throw new Error(
      `expected full marks and exit 0, got exit ${run.exitCode}:\n` +
        `${describeFailures(report)}\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`,
    );
  }
  expect(report.exercises.map((e) => e.exercise)).toEqual(listExercises());
  for (const exercise of report.exercises) {
    expect(exercise.tests.length).toBeGreaterThan(0);
    expect(exercise.note).toBeUndefined();
  }
  expect(report.maxPoints).toBeGreaterThan(0);
  expect(run.stdout).toContain(`Score: ${report.maxPoints}/${report.maxPoints}`);
}, 210_000);

it("gives every starter in exercises/ zero points, each test failing at once", async () => {
  const run = await runCheck([], STARTERS, 120_000);
  const report = run.report;
  expect(run.exitCode).toBe(1);
  if (!report) throw new Error(`no JSON report; stdout:\n${run.stdout}\n${run.stderr}`);
  expect(report.exercises.map((e) => e.exercise)).toEqual(listExercises());
  expect(report.points).toBe(0);
  for (const exercise of report.exercises) {
    expect(exercise.tests.length).toBeGreaterThan(0);
    expect(exercise.note).toBeUndefined();
    for (const test of exercise.tests) {
      // A starter fails on its TODOs: never by hanging, and always with something to read.
      expect({ name: test.name, status: test.status }).toEqual({
        name: test.name,
        status: "failed",
      });
      expect(test.message).toMatch(/TODO|expected/i);
    }
  }
  expect(run.stdout).toContain(`Score: 0/${report.maxPoints}`);
  expect(run.stdout).toMatch(/FAIL +0\/\d+ {2}\S/);
}, 130_000);
