/**
 * How `npm run grade` turns a run's ending into a verdict (`lib/classify-run.ts`) and results
 * (`lib/collect-results.ts` with a manifest), and the batch's small parts: the gradebook, the
 * progress lines, the list of students. Pure functions on synthetic inputs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BatchProgress, formatDuration } from "../batch/progress";
import { gradebookCsv } from "../batch/gradebook";
import type { StoredResult } from "../batch/result-store";
import { listStudents } from "../batch/students";
import { applyVerdict, classifyEnding, type RunEnding } from "../lib/classify-run";
import { collectResults } from "../lib/collect-results";
import type { DeclareEvent, GraderEvent } from "../lib/grader-events";

const MiB = 1024 ** 2;
const declare = (name: string, points: number): DeclareEvent => ({
  type: "declare",
  name,
  points,
  timeoutMs: 10_000,
  hint: `hint for ${name}`,
});
const start = (name: string): GraderEvent => ({ type: "start", name, at: 0 });
const end = (name: string, status: "passed" | "failed", message = ""): GraderEvent => ({
  type: "end",
  name,
  status,
  message,
  durationMs: 1,
});
const ending = (over: Partial<RunEnding> = {}): RunEnding => ({
  code: 0,
  signal: null,
  stderr: "",
  oomKills: 0,
  taskLimitHits: 0,
  ...over,
});
const names = ["a", "b", "c"];

it("calls a run graded when every test ended and the process exited by itself", () => {
  const events = names.flatMap((n) => [start(n), end(n, "passed")]);
  expect(classifyEnding(ending({ code: 1 }), events, names, 0, 512 * MiB)).toEqual({
    outcome: "graded",
    interruptedStatus: "failed",
    notes: [],
    zero: false,
  });
});

it("names the test during which the code under test called process.exit", () => {
  const events: GraderEvent[] = [start("a"), end("a", "passed"), start("b")];
  const viaEvent = classifyEnding(
    ending(),
    [...events, { type: "exit", code: 3, during: "b" }],
    names,
    0,
    MiB,
  );
  expect(viaEvent.outcome).toBe("process-exit");
  expect(viaEvent.stopReason).toMatch(/^the code under test called process\.exit\(3\) during "b"/);
  // Node's own exit, which graded()'s wrapper does not see: inferred from the exit status.
  const inferred = classifyEnding(ending({ code: 0 }), events, names, 0, MiB);
  expect(inferred.outcome).toBe("process-exit");
  expect(inferred.stopReason).toMatch(/process\.exit\(0\) during "b"/);
});

it("tells a crash by a signal from a run out of memory", () => {
  const events = [start("a")];
  expect(
    classifyEnding(ending({ code: null, signal: "SIGSEGV" }), events, names, 0, MiB),
  ).toMatchObject({
    outcome: "crashed",
    stopReason: 'the test process crashed (SIGSEGV) during "a"',
  });
  expect(
    classifyEnding(
      ending({ code: null, signal: "SIGKILL", oomKills: 1 }),
      events,
      names,
      0,
      512 * MiB,
    ),
  ).toMatchObject({
    outcome: "out-of-memory",
    stopReason: 'the test process ran out of memory (limit 512 MiB) during "a" and was killed',
  });
  const heap = "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory";
  expect(
    classifyEnding(ending({ code: null, signal: "SIGABRT", stderr: heap }), events, names, 0, MiB)
      .outcome,
  ).toBe("out-of-memory");
});

it("keeps the grader's reason for a run it stopped, and marks the running test timed out", () => {
  const verdict = classifyEnding(
    ending({ code: null, signal: "SIGKILL", stopReason: '"a" ran 20 s, past its limit' }),
    [start("a")],
    names,
    0,
    MiB,
  );
  expect(verdict).toMatchObject({ outcome: "timed-out", interruptedStatus: "timed-out" });
  const result = collectResults(
    "ex",
    {
      events: [start("a")],
      jest: undefined,
      log: "",
      stopReason: verdict.stopReason as string,
      strayProcesses: [],
      wallMs: 1,
    },
    undefined,
    { manifest: names.map((n) => declare(n, 1)), interruptedStatus: verdict.interruptedStatus },
  );
  expect(result.tests.map((t) => [t.name, t.status])).toEqual([
    ["a", "timed-out"],
    ["b", "not-run"],
    ["c", "not-run"],
  ]);
});

it("zeroes a run that tampered or forged events, and says why", () => {
  const events: GraderEvent[] = [
    start("a"),
    end("a", "passed"),
    { type: "tamper", name: "a", what: "Object.is" },
  ];
  const tampered = classifyEnding(ending(), events, ["a"], 0, MiB);
  expect(tampered.zero).toBe(true);
  expect(tampered.notes).toEqual([
    'tampering: after "a" the test environment had changed (Object.is); the run scores 0',
  ]);
  const forged = classifyEnding(ending(), [start("a"), end("a", "passed")], ["a"], 2, MiB);
  expect(forged.notes[0]).toMatch(/^tampering: 2 line\(s\) .* did not come from the grader/);
  const result = applyVerdict(
    collectResults(
      "ex",
      {
        events: [start("a"), end("a", "passed")],
        jest: undefined,
        log: "",
        strayProcesses: [],
        wallMs: 1,
      },
      undefined,
      {
        manifest: [declare("a", 5)],
      },
    ),
    forged,
  );
  expect(result).toMatchObject({ points: 0, maxPoints: 5 });
  expect(result.tests[0]).toMatchObject({ status: "passed", points: 0 });
});

it("blames the grader, not the submission, for a run that ended before its first test", () => {
  const verdict = classifyEnding(
    ending({ code: 1, stderr: "Error: Cannot find module 'jest'" }),
    [],
    names,
    0,
    MiB,
  );
  expect(verdict.outcome).toBe("crashed");
  expect(verdict.stopReason).toBe(
    "the test process ended before its first test (exit 1), a problem of the grader, not of " +
      "the submission:\nError: Cannot find module 'jest'",
  );
});

it("notes refused forks", () => {
  const verdict = classifyEnding(ending({ taskLimitHits: 7 }), [], [], 0, MiB);
  expect(verdict.notes).toEqual([
    "the run reached its cap on processes and threads: 7 fork(s) were refused (a process started in a loop?)",
  ]);
});

it("calls every test failing to load the exercise an import error", () => {
  const manifest = [declare("a", 1), declare("b", 2)];
  const why = "could not load /x/framing.ts: boom";
  const result = applyVerdict(
    collectResults(
      "ex",
      {
        events: [start("a"), end("a", "failed", why), start("b"), end("b", "failed", why)],
        jest: undefined,
        log: "",
        strayProcesses: [],
        wallMs: 1,
      },
      undefined,
      { manifest, hidden: true },
    ),
    classifyEnding(ending({ code: 1 }), [], [], 0, MiB),
  );
  expect(result.outcome).toBe("import-error");
  expect(result.note).toBe(`the exercise's code could not be loaded: ${why}`);
  expect(result.tests.every((t) => t.hidden === true)).toBe(true);
});

it("takes points and the test list from the manifest, not from the run's declarations", () => {
  const result = collectResults(
    "ex",
    {
      events: [declare("a", 100), declare("bonus", 100), start("a"), end("a", "passed")],
      jest: {
        testResults: [
          {
            name: "t",
            message: "",
            assertionResults: [{ title: "bonus", status: "passed", failureMessages: [] }],
          },
        ],
      },
      log: "",
      strayProcesses: [],
      wallMs: 1,
    },
    undefined,
    { manifest: [declare("a", 2)] },
  );
  expect(result.tests.map((t) => [t.name, t.points, t.maxPoints])).toEqual([["a", 2, 2]]);
});

it("writes a gradebook with one row per student, quoting what needs it", () => {
  const result = (student: string, points: number[]): StoredResult =>
    ({
      student,
      points: points.reduce((a, b) => a + b, 0),
      exercises: points.map((p, i) => ({ exercise: `ex0${i + 1}`, points: p })),
    }) as unknown as StoredResult;
  expect(gradebookCsv(["ex01", "ex02"], [result('zoe "z", jr', [3, 4]), result("al", [20])])).toBe(
    'student,ex01,ex02,total\r\nal,20,,20\r\n"zoe ""z"", jr",3,4,7\r\n',
  );
});

it("prints one progress line per student with the time left, when not on a terminal", () => {
  const lines: string[] = [];
  const progress = new BatchProgress(3, { write: (t) => lines.push(t), isTTY: false });
  progress.start();
  progress.finished("alice: 20/20 in 5.0 s");
  progress.finished("bob: 0/20 in 5.0 s");
  progress.finished("carol: 3/20 in 5.0 s");
  progress.end();
  expect(lines[0]).toMatch(/^\[1\/3, about \d+ s left\] alice: 20\/20 in 5\.0 s\n$/);
  expect(lines[2]).toBe("[3/3] carol: 3/20 in 5.0 s\n");
  expect(formatDuration(200_000)).toBe("3 min 20 s");
  const tty: string[] = [];
  const bar = new BatchProgress(2, { write: (t) => tty.push(t), isTTY: true, columns: 80 });
  bar.start();
  bar.finished("alice: 20/20");
  // eslint-disable-next-line no-control-regex -- the bar redraws with ESC [K
  expect(tty[1]).toMatch(/^\r\x1b\[K\[#{12}-{12}\] 1\/2 {2}ETA \d+ s {2}alice: 20\/20$/);
});

it("lists one student per folder or zip, skipping litter and the results folder", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-students-"));
  try {
    for (const d of ["bob", "results", "__MACOSX", ".git"]) fs.mkdirSync(path.join(dir, d));
    for (const f of ["alice.zip", "notes.txt"]) fs.writeFileSync(path.join(dir, f), "");
    expect(listStudents(dir, [path.join(dir, "results")])).toEqual([
      { student: "alice", source: path.join(dir, "alice.zip") },
      { student: "bob", source: path.join(dir, "bob") },
    ]);
    fs.writeFileSync(path.join(dir, "bob.zip"), "");
    expect(() => listStudents(dir)).toThrow(/two submissions for "bob"/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
