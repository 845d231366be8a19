/**
 * Self-test of the LMS exporters (`autograder/formats/`): each output conforms to the schema
 * transcribed from its platform's documentation (`formats/schemas/`), carries the report's
 * points exactly, and shows hidden tests only as each platform allows.
 */
import * as path from "node:path";
import {
  toGradescopeResults,
  toPrairieLearnResult,
  type GradescopeResults,
  type PrairieLearnResult,
} from "../formats";
import { checkSchema, loadSchema } from "../formats/schema-check";
import { REPO_ROOT } from "../lib/exercise-path";
import type { ExerciseResult, GradeReport, TestResult } from "../lib/result";
import { runCheck } from "./run-check";

const gradescopeSchema = loadSchema("gradescope-results.schema.json");
const prairieLearnSchema = loadSchema("prairielearn-results.schema.json");

const test = (exercise: string, name: string, extra: Partial<TestResult> = {}): TestResult => ({
  exercise,
  name,
  points: 2,
  maxPoints: 2,
  status: "passed",
  message: "",
  hint: "",
  durationMs: 12,
  ...extra,
});

const failed = (message: string, hint: string): Partial<TestResult> => ({
  points: 0,
  status: "failed",
  message,
  hint,
});

/** A report with every case the exporters handle: hidden, failed, not run, a stopped run. */
function sampleReport(): GradeReport {
  const ex02: ExerciseResult = {
    exercise: "ex02-framing",
    tests: [
      test("ex02-framing", "returns the payload of a whole frame"),
      test(
        "ex02-framing",
        "rejects an oversize frame",
        failed("expected MessageTooLarge", "use >"),
      ),
      test("ex02-framing", "SECRET-hidden-pass", { hidden: true, maxPoints: 3, points: 3 }),
      test("ex02-framing", "SECRET-hidden-fail", {
        hidden: true,
        ...failed("SECRET-hidden-message", "SECRET-hidden-hint"),
      }),
    ],
    points: 5,
    maxPoints: 9,
    wallMs: 4_200,
  };
  const ex03: ExerciseResult = {
    exercise: "ex03-prime-sieve",
    tests: [
      test("ex03-prime-sieve", "finds the primes up to 30", {
        status: "timed-out",
        points: 0,
        maxPoints: 3,
        message: "timed out after 30 s: possible deadlock",
      }),
      test("ex03-prime-sieve", "finds the 25 primes up to 100", {
        status: "not-run",
        points: 0,
        maxPoints: 4,
      }),
    ],
    points: 0,
    maxPoints: 7,
    outcome: "timed-out",
    note: "the exercise run was stopped at its time limit of 300 s",
    wallMs: 300_400,
  };
  return { exercisesDir: "/tmp/submission", exercises: [ex02, ex03], points: 5, maxPoints: 16 };
}

/** Deep-freezes `value`, so an exporter that mutates its input throws. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const expectValid = (doc: unknown, schema = gradescopeSchema): void => {
  expect(checkSchema(doc, schema)).toEqual([]);
};

describe("Gradescope results.json", () => {
  let results: GradescopeResults;
  beforeAll(() => {
    results = toGradescopeResults(deepFreeze(sampleReport()));
  });

  it("conforms to the field list of Gradescope's autograder specification", () => {
    expectValid(results);
  });

  it("carries the report's total and each test's points", () => {
    expect(results.score).toBe(5);
    expect(results.tests.reduce((sum, t) => sum + t.score, 0)).toBe(5);
    expect(results.tests.reduce((sum, t) => sum + t.max_score, 0)).toBe(16);
    expect(results.execution_time).toBe(305);
    expect(results.output).toContain("Score: 5/16");
  });

  it("marks failed, timed-out and not-run tests failed, with the message and the hint", () => {
    const byName = new Map(results.tests.map((t) => [t.name, t]));
    const oversize = byName.get("ex02-framing: rejects an oversize frame");
    expect(oversize).toMatchObject({ status: "failed", score: 0, max_score: 2 });
    expect(oversize?.output).toBe("expected MessageTooLarge\nhint: use >");
    expect(byName.get("ex03-prime-sieve: finds the primes up to 30")?.status).toBe("failed");
    expect(byName.get("ex03-prime-sieve: finds the 25 primes up to 100")?.output).toMatch(
      /^not run/,
    );
    expect(byName.get("ex02-framing: returns the payload of a whole frame")).toMatchObject({
      status: "passed",
      output: "",
      number: "2.1",
      tags: ["ex02-framing"],
    });
    // Why ex03 stopped is in the top-level output, where learners look first.
    expect(results.output).toContain("outcome: timed-out; the exercise run was stopped");
  });

  it("shows hidden tests only after grades are published and keeps stdout from learners", () => {
    const hidden = results.tests.filter((t) => t.name.includes("SECRET"));
    expect(hidden.map((t) => t.visibility)).toEqual(["after_published", "after_published"]);
    const visible = results.tests.filter((t) => !t.name.includes("SECRET"));
    expect(new Set(visible.map((t) => t.visibility))).toEqual(new Set(["visible"]));
    expect(results.stdout_visibility).toBe("hidden");
  });

  it("lists an exercise that produced no tests as a failed entry naming why", () => {
    const report: GradeReport = {
      exercisesDir: "/tmp/x",
      exercises: [
        {
          exercise: "ex02-framing",
          tests: [],
          points: 0,
          maxPoints: 0,
          outcome: "crashed",
          note: "the test file failed to load",
          wallMs: 900,
        },
      ],
      points: 0,
      maxPoints: 0,
    };
    const out = toGradescopeResults(report);
    expectValid(out);
    expect(out.tests).toEqual([
      expect.objectContaining({
        name: "ex02-framing: could not be graded",
        status: "failed",
        output: "outcome: crashed; the test file failed to load",
      }),
    ]);
  });

  it("returns the same object for the same report (a pure function)", () => {
    expect(toGradescopeResults(sampleReport())).toEqual(results);
  });
});

describe("PrairieLearn external grading result", () => {
  let result: PrairieLearnResult;
  beforeAll(() => {
    result = toPrairieLearnResult(deepFreeze(sampleReport()));
  });

  it("conforms to the fields of PrairieLearn's external grading results", () => {
    expectValid(result, prairieLearnSchema);
  });

  it("scores the fraction of points earned and sums to the report's points", () => {
    expect(result.gradable).toBe(true);
    expect(result.score).toBeCloseTo(5 / 16, 10);
    expect(result.tests.reduce((sum, t) => sum + t.points, 0)).toBe(5);
    expect(result.tests.reduce((sum, t) => sum + t.max_points, 0)).toBe(16);
    expect(result.message).toContain("Score: 5/16");
  });

  it("folds hidden tests into one entry per exercise, without their names or messages", () => {
    expect(JSON.stringify(result)).not.toContain("SECRET");
    expect(result.tests.filter((t) => t.name.endsWith("hidden tests"))).toEqual([
      {
        name: "ex02-framing: hidden tests",
        description: "ex02-framing",
        points: 3,
        max_points: 5,
        message: "1 of 2 hidden tests passed",
      },
    ]);
  });

  it("is not gradable, and says why, when an exercise's code does not compile", () => {
    const report = sampleReport();
    const ex02 = report.exercises[0]!;
    report.exercises[0] = { ...ex02, outcome: "compile-error", note: "framing.ts(3,1): ';'" };
    const out = toPrairieLearnResult(report);
    expectValid(out, prairieLearnSchema);
    expect(out).toMatchObject({
      gradable: false,
      score: 0,
      format_errors: [
        "ex02-framing does not compile: outcome: compile-error; framing.ts(3,1): ';'",
      ],
    });
  });
});

describe("the schema checker", () => {
  it.each([
    [
      "a visibility Gradescope does not know",
      { tests: [{ visibility: "public" }] },
      "is not one of",
    ],
    ["a misspelt field", { tests: [{ maxscore: 2 }] }, 'field "maxscore" is not in the schema'],
    ["a status that is not passed/failed", { tests: [{ status: "ok" }] }, "is not one of"],
    ["a number where Gradescope wants a string", { tests: [{ number: 2.1 }] }, "expected string"],
  ])("rejects a Gradescope result with %s", (_what, patch, problem) => {
    const doc = { ...toGradescopeResults(sampleReport()), ...patch };
    expect(checkSchema(doc, gradescopeSchema).join("\n")).toContain(problem);
  });

  it("rejects a PrairieLearn score above 1 and a missing gradable", () => {
    const { gradable: _gradable, ...rest } = toPrairieLearnResult(sampleReport());
    const problems = checkSchema({ ...rest, score: 5 }, prairieLearnSchema);
    expect(problems).toEqual([
      '$: missing required field "gradable"',
      "$.score: 5 is above the maximum 1",
    ]);
  });
});

it("exports a real report from `npm run check` in both formats", async () => {
  const run = await runCheck(["ex02"], path.join(REPO_ROOT, "exercises"), 60_000);
  const report = run.report;
  if (!report) throw new Error(`check.ts wrote no report:\n${run.stdout}\n${run.stderr}`);
  const gradescope = toGradescopeResults(report);
  expectValid(gradescope);
  expect(gradescope.tests.length).toBe(report.exercises[0]?.tests.length);
  expect(gradescope.score).toBe(0);
  expect(gradescope.tests.every((t) => t.status === "failed" && /TODO/.test(t.output))).toBe(true);
  const prairieLearn = toPrairieLearnResult(report);
  expectValid(prairieLearn, prairieLearnSchema);
  expect(prairieLearn).toMatchObject({ gradable: true, score: 0 });
}, 70_000);
