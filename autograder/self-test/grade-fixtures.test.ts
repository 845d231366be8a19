/**
 * `npm run grade -- --batch` on the deliberately broken submissions of
 * `fixtures/submissions/` (plus a compile error, a zip and a submission without the exercise,
 * made here): each gets its expected score and message in bounded time, attacks on the
 * verdict earn nothing, nothing any of them started is left running, the checkout is
 * untouched, and a second run resumes instead of grading again. All on ex02 (fast), public
 * tests only; ex01 is graded too, present only in `crash-signal` (the reference solution,
 * copied here), to show one exercise's crash costs another nothing.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { StoredResult } from "../batch/result-store";
import { REPO_ROOT } from "../lib/exercise-path";
import type { ExerciseResult } from "../lib/result";
import { filesUnder, leftoverProcesses, makeZip, runGrade, type GradeRun } from "./run-grade";

const FIXTURES = path.join(__dirname, "fixtures", "submissions");
const SLUG = "ex02-framing";
const FIRST = "returns the payload of a whole frame pushed in one chunk";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-grade-fixtures-"));
const batch = path.join(tmp, "class");
const results = path.join(tmp, "results");
const args = [
  ...["--batch", batch, "--results", results, "--exercises", "ex01,ex02", "--public-only"],
  ...["--jobs", "2", "--memory-limit", "512", "--task-limit", "256"],
];
const testFileHash = (): string =>
  createHash("sha256")
    .update(fs.readFileSync(path.join(REPO_ROOT, "autograder", "tests", `${SLUG}.test.ts`)))
    .digest("hex");

let run: GradeRun;
let checkoutBefore = "";

beforeAll(async () => {
  fs.cpSync(FIXTURES, batch, { recursive: true, filter: (src) => !src.endsWith("README.md") });
  // Made here: a type error would break `npm run typecheck` if it lived in the repository.
  fs.mkdirSync(path.join(batch, "compile-error", SLUG), { recursive: true });
  fs.writeFileSync(
    path.join(batch, "compile-error", SLUG, "framing.ts"),
    'export const HEADER_BYTES: number = "four";\nexport class FrameDecoder {}\n',
  );
  const partial = filesUnder(path.join(FIXTURES, "partially-right", SLUG));
  const zipped = Object.fromEntries(
    Object.entries(partial).map(([p, d]) => [`zipped/exercises/${SLUG}/${p}`, d]),
  );
  fs.writeFileSync(path.join(batch, "zipped.zip"), makeZip(zipped));
  fs.mkdirSync(path.join(batch, "no-exercise", "ex99-other"), { recursive: true });
  fs.writeFileSync(path.join(batch, "no-exercise", "ex99-other", "a.ts"), "export {};\n");
  fs.cpSync(
    path.join(REPO_ROOT, "autograder", "solutions", "ex01-ping-pong"),
    path.join(batch, "crash-signal", "ex01-ping-pong"),
    { recursive: true },
  );
  checkoutBefore = testFileHash();
  run = await runGrade(args, 280_000);
}, 300_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const students = (): string[] => fs.readdirSync(batch).map((e) => e.replace(/\.zip$/, ""));

function exerciseOf(student: string, slug: string): ExerciseResult {
  const result = JSON.parse(
    fs.readFileSync(path.join(results, `${student}.json`), "utf8"),
  ) as StoredResult;
  const exercise = result.exercises.find((e) => e.exercise === slug);
  if (!exercise) throw new Error(`${student}: no ${slug} in ${JSON.stringify(result)}`);
  return exercise;
}

const ex02 = (student: string): ExerciseResult => exerciseOf(student, SLUG);

it("grades the whole class, writing each result, its Gradescope file and the gradebook", () => {
  if (run.exitCode !== 0) throw new Error(`exit ${run.exitCode}:\n${run.stdout}\n${run.stderr}`);
  for (const student of students()) {
    expect(fs.existsSync(path.join(results, `${student}.json`))).toBe(true);
    expect(fs.existsSync(path.join(results, `${student}.gradescope.json`))).toBe(true);
  }
  const gradebook = fs.readFileSync(path.join(results, "gradebook.csv"), "utf8").split("\r\n");
  expect(gradebook[0]).toBe(`student,ex01-ping-pong,${SLUG},total`);
  expect(gradebook).toContain("wrong-answer,0,0,0");
  expect(gradebook).toContain("detached-survivor,0,20,20");
  expect(gradebook).toContain("crash-signal,20,0,20");
  expect(gradebook.filter(Boolean)).toHaveLength(students().length + 1);
  expect(run.stdout).toMatch(new RegExp(`\\[${students().length}/${students().length}\\] `));
  expect(run.stdout).toMatch(/per submission: median \d+\.\d s, longest \d+\.\d s/);
});

it("leaves no process of any submission running and the checkout untouched", () => {
  expect(leftoverProcesses(run.pid)).toEqual([]);
  expect(testFileHash()).toBe(checkoutBefore);
});

it("gives a wrong answer 0 with expected vs got, and a partly right one part of the points", () => {
  const wrong = ex02("wrong-answer");
  expect(wrong).toMatchObject({ points: 0, maxPoints: 20, outcome: "graded" });
  expect(wrong.tests.find((t) => t.name === FIRST)?.message).toMatch(
    /expected 5 bytes \[68 65 6c 6c 6f\], got 9 bytes/,
  );
  const partial = ex02("partially-right");
  expect(partial.points).toBeGreaterThan(0);
  expect(partial.points).toBeLessThan(partial.maxPoints);
  const status = (name: string): string | undefined =>
    partial.tests.find((t) => t.name === name)?.status;
  expect(status("returns every frame of a chunk that holds several, in order")).toBe("passed");
  expect(status("reassembles frames pushed one byte at a time, header bytes included")).toBe(
    "failed",
  );
  // The same code in a zip, under a wrapping folder, scores the same.
  expect(ex02("zipped").points).toBe(partial.points);
});

it.each(["endless-loop", "lock-deadlock"])(
  "stops %s at the frozen test, names it, and skips the rest",
  (student) => {
    const result = ex02(student);
    expect(result).toMatchObject({ points: 0, outcome: "timed-out" });
    expect(result.tests[0]).toMatchObject({ name: FIRST, status: "timed-out" });
    expect(result.tests[0]?.message).toMatch(
      /ran \d+ s, past its limit of 10 s, .*endless loop .*blocking wait/,
    );
    expect(result.tests.slice(1).every((t) => t.status === "not-run")).toBe(true);
    expect(result.wallMs).toBeLessThan(45_000);
  },
);

it("reports process.exit, a throw at import, a compile error and a missing exercise", () => {
  expect(ex02("process-exit")).toMatchObject({ points: 0, outcome: "process-exit" });
  expect(ex02("process-exit").tests[0]?.message).toMatch(
    new RegExp(`called process\\.exit\\(0\\) during "${FIRST}"`),
  );
  const thrown = ex02("throw-at-import");
  expect(thrown).toMatchObject({ points: 0, outcome: "import-error" });
  expect(thrown.note).toMatch(/could not be loaded: .*framing\.ts blew up at import/);
  const compile = ex02("compile-error");
  expect(compile).toMatchObject({ points: 0, maxPoints: 20, outcome: "compile-error" });
  expect(compile.note).toMatch(
    /does not compile:\nex02-framing\/framing\.ts\(1,14\): error TS2322/,
  );
  expect(compile.tests.every((t) => t.status === "not-run")).toBe(true);
  expect(ex02("no-exercise")).toMatchObject({
    points: 0,
    maxPoints: 20,
    outcome: "import-error",
    note: `no folder ${SLUG} in the submission`,
  });
});

it("reports a crash by a signal, and keeps the other exercise's full marks", () => {
  const crashed = ex02("crash-signal");
  expect(crashed).toMatchObject({ points: 0, outcome: "crashed" });
  expect(crashed.tests[0]?.message).toBe(`the test process crashed (SIGSEGV) during "${FIRST}"`);
  expect(exerciseOf("crash-signal", "ex01-ping-pong")).toMatchObject({
    points: 20,
    maxPoints: 20,
    outcome: "graded",
  });
});

it("contains a memory bomb and a fork bomb, and kills a process that detached", () => {
  const memory = ex02("memory-bomb");
  expect(memory).toMatchObject({ points: 0, outcome: "out-of-memory" });
  expect(memory.tests[0]?.message).toMatch(/ran out of memory \(limit 512 MiB\)/);
  const forks = ex02("fork-bomb");
  expect(forks.points).toBe(0);
  expect(forks.note).toMatch(/cap on processes and threads: \d+ fork\(s\) were refused/);
  expect(forks.note).toMatch(/still running after them, and were killed: pid \d+ \(sleep 120\)/);
  const survivor = ex02("detached-survivor");
  expect(survivor).toMatchObject({ points: 20, maxPoints: 20, outcome: "graded" });
  expect(survivor.note).toMatch(/1 processes .* were killed: pid \d+ \((setsid )?sleep 300\)/);
});

it("gives no points for patching built-ins, and says what was patched", () => {
  const result = ex02("tamper-builtins");
  expect(result.points).toBe(0);
  expect(result.note).toMatch(
    /^tampering: after ".*" the test environment had changed \(Buffer\.prototype\.equals\)/,
  );
});

it("refuses every attempt on jest's expect, its matchers and the grader's helpers", () => {
  const result = ex02("tamper-framework");
  expect(result).toMatchObject({ points: 0, maxPoints: 20 });
  expect(result.tests.map((t) => t.name)).not.toContain("a bonus the grader never wrote");
  const message = result.tests.find((t) => t.name === FIRST)?.message ?? "";
  for (const what of ["assign expect", "redefine expect", "expect.extend", "matcher registry"]) {
    expect(message).toContain(`${what}: refused`);
  }
  expect(message).toContain("reach the grader's modules: done");
  expect(message).toContain("replace a test helper: refused");
});

it("ignores forged results, fake reports and printed scores", () => {
  const result = ex02("tamper-channel");
  expect(result.points).toBe(0);
  expect(result.note).toMatch(/tampering: 10 line\(s\) written to the grader's results channel/);
  // The process that kept overwriting jest's report with junk existed, and was killed.
  expect(result.note).toMatch(/still running after them, and were killed: pid \d+ \(sh -c /);
  expect(result.tests.find((t) => t.name === FIRST)?.message).toMatch(
    /write the grader's results folder: refused/,
  );
  expect(fs.existsSync(path.join(results, "tamper-forged.json"))).toBe(false);
});

it("keeps the reference solution and the checkout out of a submission's reach", () => {
  expect(ex02("steal-solution").points).toBe(0);
  expect(ex02("steal-solution").tests[0]?.message).toBe(
    "tampering attempts: require the solution: refused; read the solution: refused; " +
      "write the checkout: refused",
  );
});

it("skips every student already graded when run again", async () => {
  const again = await runGrade(args, 120_000);
  expect(again.exitCode).toBe(0);
  const n = students().length;
  expect(again.stdout).toContain(`${n} of ${n} already graded against these tests, skipped`);
  expect(again.stdout).toMatch(/Graded 0, skipped \d+, failed 0/);
}, 130_000);
