/**
 * How a jest run's leftovers become graded results, including runs cut short: a frozen test,
 * tests never reached, a test file that could not load, processes left behind.
 */
import { cleanFailureText, collectResults } from "../lib/collect-results";
import type { GraderEvent } from "../lib/grader-events";
import type { JestJson, JestRun } from "../lib/run-jest";

const declare = (name: string, points: number, hint = ""): GraderEvent => ({
  type: "declare",
  name,
  points,
  timeoutMs: 10_000,
  hint,
});
const start = (name: string): GraderEvent => ({ type: "start", name, at: 0 });
const end = (
  name: string,
  status: "passed" | "failed" | "timed-out",
  message = "",
): GraderEvent => ({
  type: "end",
  name,
  status,
  message,
  durationMs: 5,
});
const jestReport = (
  assertions: { title: string; status: string; failureMessages?: string[] }[],
  message = "",
): JestJson => ({
  testResults: [
    {
      name: "t.test.ts",
      message,
      assertionResults: assertions.map((a) => ({ failureMessages: [], ...a })),
    },
  ],
});
const run = (
  events: GraderEvent[],
  jest?: JestJson,
  extra: Partial<JestRun> = {},
): Pick<JestRun, "events" | "jest" | "log" | "stopReason" | "strayProcesses" | "wallMs"> => ({
  events,
  jest,
  log: "",
  strayProcesses: [],
  wallMs: 1000,
  ...extra,
});

it("gives passed tests their points and failed ones none, with message and hint", () => {
  const result = collectResults(
    "ex02-framing",
    run(
      [declare("a", 2), declare("b", 3, "look at b"), start("a"), end("a", "passed")].concat([
        start("b"),
        end("b", "failed", "step 1: expected 1, got 2"),
      ]),
      jestReport([
        { title: "a", status: "passed" },
        { title: "b", status: "failed", failureMessages: ["Error: step 1\n    at x.ts:1:1"] },
      ]),
    ),
  );
  expect(result).toMatchObject({ exercise: "ex02-framing", points: 2, maxPoints: 5 });
  expect(result.tests).toEqual([
    expect.objectContaining({ name: "a", status: "passed", points: 2, message: "", hint: "" }),
    expect.objectContaining({
      name: "b",
      status: "failed",
      points: 0,
      maxPoints: 3,
      message: "step 1: expected 1, got 2",
      hint: "look at b",
    }),
  ]);
  expect(result.note).toBeUndefined();
});

it("lets jest fail a test the body passed (an afterEach hook failed)", () => {
  const result = collectResults(
    "ex",
    run(
      [declare("a", 2), start("a"), end("a", "passed")],
      jestReport([{ title: "a", status: "failed", failureMessages: ["hook failed"] }]),
    ),
  );
  expect(result.tests[0]).toMatchObject({ status: "failed", points: 0, message: "hook failed" });
});

it("marks the test that froze a stopped run timed out and the rest not run", () => {
  const reason = '"b" ran 20 s, past its limit of 10 s: an endless loop';
  const result = collectResults(
    "ex",
    run(
      [declare("a", 1), declare("b", 2), declare("c", 3), start("a"), end("a", "passed")].concat([
        start("b"),
      ]),
      undefined,
      { stopReason: reason },
    ),
  );
  expect(result.tests.map((t) => [t.name, t.status, t.points])).toEqual([
    ["a", "passed", 1],
    ["b", "timed-out", 0],
    ["c", "not-run", 0],
  ]);
  expect(result.tests[1]?.message).toBe(reason);
  expect(result.tests[2]?.message).toBe(`not run: ${reason}`);
  expect(result).toMatchObject({ points: 1, maxPoints: 6, note: reason });
});

it("keeps only the tests selected by --test", () => {
  const result = collectResults(
    "ex",
    run([declare("decodes one", 1), declare("decodes two", 2), declare("rejects", 3)]),
    "decodes",
  );
  expect(result.tests.map((t) => t.name)).toEqual(["decodes one", "decodes two"]);
});

it("explains a test file that could not load, from jest's suite message", () => {
  const result = collectResults(
    "ex",
    run([], jestReport([], "SyntaxError: Unexpected token (3:4)\n    at Parser.x (p.js:1:1)")),
  );
  expect(result.tests).toEqual([]);
  expect(result.note).toBe("the graded tests could not run:\nSyntaxError: Unexpected token (3:4)");
});

it("notes processes the tests left running", () => {
  const result = collectResults(
    "ex",
    run([declare("a", 1), start("a"), end("a", "passed")], undefined, {
      strayProcesses: ["pid 42 (sieve-stage.ts)"],
    }),
  );
  expect(result.note).toContain("pid 42 (sieve-stage.ts)");
});

it("cleans jest failure text of colours and stack frames and keeps it short", () => {
  const text = "\u001b[31mexpected\u001b[39m 1\n    at foo (a.ts:1:1)\n" + "line\n".repeat(40);
  const cleaned = cleanFailureText(text);
  expect(cleaned.startsWith("expected 1\nline")).toBe(true);
  expect(cleaned.split("\n")).toHaveLength(31);
  expect(cleaned.endsWith("...")).toBe(true);
});
