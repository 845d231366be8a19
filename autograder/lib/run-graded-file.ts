/**
 * Runs one graded test file against a submission inside the sandbox and turns what it left
 * into an `ExerciseResult`. Trust flows one way: the test list and points come from the
 * manifest; a test passes only on an event carrying the run's secret; jest's own report can
 * fail a test, never pass one; nothing the run prints counts.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Readable, Writable } from "node:stream";
import type { IsolationPlan } from "../sandbox/isolation";
import { startSandboxed } from "../sandbox/run-sandboxed";
import type { RunPlacement } from "../sandbox/workspace";
import { applyVerdict, classifyEnding } from "./classify-run";
import { collectResults } from "./collect-results";
import { EXERCISES_DIR_ENV } from "./exercise-path";
import { EVENTS_FD_ENV, NONCE_FD_ENV } from "./grader-channel";
import type { GraderEvent } from "./grader-events";
import type { ExerciseResult } from "./result";
import type { JestJson } from "./run-jest";
import { frozenTest, frozenTestMessage } from "./run-jest";
import { JEST_BIN, type TestFile } from "./test-manifest";

/** Limits of one sandboxed run. */
export interface RunLimits {
  wallMs: number;
  memoryBytes: number;
  tasks: number;
}

/** Options of {@link runGradedFile}. */
export interface GradedFileOptions {
  plan: IsolationPlan;
  testFile: TestFile;
  /** The run's directories, the exercises and the jest configuration (`Workspace.newRun`). */
  run: RunPlacement;
  /** The run's user and group ids (see `sandbox-uid.ts`). */
  uid: number;
  gid: number;
  limits: RunLimits;
  /** Directories hidden from the run (reference solutions, other submissions). */
  hiddenDirs: string[];
  /** Copy the run's output to this process's stderr. */
  verbose?: boolean;
}

/** Most bytes accepted on the events channel; a flood beyond it is itself a forgery. */
const MAX_EVENT_BYTES = 4 * 1024 * 1024;
const POLL_MS = 250;

/** Jest's long-lived helper processes: not the tests' leftovers. */
const isJestHelper = (description: string): boolean =>
  /jest-worker|jest-haste-map/.test(description);

/** What arrived on a run's events pipe. */
interface ChannelReader {
  /** Events that carried the run's secret, in order. */
  events: GraderEvent[];
  /** Lines that did not (anything the code under test wrote there). */
  forged(): number;
}

/**
 * Reads authenticated events from the channel; counts lines that lack the secret. Whatever
 * arrives (not JSON, not an object, megabytes) is counted, never thrown: the code under test
 * can write to this pipe too.
 */
function readChannel(stream: Readable, nonce: string): ChannelReader {
  const events: GraderEvent[] = [];
  let forged = 0;
  let received = 0;
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (text: string) => {
    received += text.length;
    if (received > MAX_EVENT_BYTES) {
      if (pending !== "") forged++;
      pending = "";
      return;
    }
    pending += text;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (!line) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        forged++;
        continue;
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        forged++;
        continue;
      }
      // Only graded.ts knows the secret, so a line that carries it has graded.ts's shape.
      const { nonce: got, ...event } = parsed as { nonce?: unknown } & GraderEvent;
      if (got !== nonce) {
        forged++;
        continue;
      }
      // The grader's clock, not the test process's, times the watchdog.
      events.push(event.type === "start" ? { ...event, at: Date.now() } : (event as GraderEvent));
    }
  });
  return {
    events,
    forged: () => forged + (received > MAX_EVENT_BYTES ? 1 : 0),
  };
}

/**
 * Jest's report, kept only as far as it has the expected shape: the code under test can
 * write this file too, and a malformed one must not break the grader (it can only fail tests
 * anyway, see `collectResults`).
 */
function readJestReport(file: string): JestJson | undefined {
  let parsed: unknown;
  try {
    if (fs.statSync(file).size > 20 * 1024 * 1024) return undefined;
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  const files = (parsed as { testResults?: unknown } | null)?.testResults;
  if (!Array.isArray(files)) return undefined;
  const text = (v: unknown): string => (typeof v === "string" ? v : "");
  return {
    testResults: files
      .filter((f): f is Record<string, unknown> => typeof f === "object" && f !== null)
      .map((f) => ({
        name: text(f.name),
        message: text(f.message),
        assertionResults: (Array.isArray(f.assertionResults) ? f.assertionResults : [])
          .filter((a): a is Record<string, unknown> => typeof a === "object" && a !== null)
          .map((a) => ({
            title: text(a.title),
            status: text(a.status),
            failureMessages: Array.isArray(a.failureMessages) ? a.failureMessages.map(text) : [],
          })),
      })),
  };
}

/**
 * Runs `options.testFile` on the submission placed by `options.run`, in the sandbox, and
 * resolves with its graded result. Never rejects for anything the submission does.
 */
export async function runGradedFile(options: GradedFileOptions): Promise<ExerciseResult> {
  const { plan, testFile, limits } = options;
  const { host, visible } = options.run;
  const nonce = randomBytes(16).toString("hex");
  const args = [
    // Without a memory cgroup, the JavaScript heap is the only memory limit there is.
    ...(plan.cgroups?.memory
      ? []
      : [`--max-old-space-size=${Math.round(limits.memoryBytes / 1024 ** 2)}`]),
    JEST_BIN,
    "--config",
    options.run.jestConfig,
    "--runInBand",
    "--ci",
    "--forceExit",
    "--json",
    "--outputFile",
    path.join(visible.out, "jest.json"),
    "--cacheDirectory",
    visible.cache,
    testFile.file,
  ];
  const sandboxed = startSandboxed(plan, {
    command: process.execPath,
    args,
    cwd: options.run.cwd,
    ...(options.run.innerCwd === undefined ? {} : { innerCwd: options.run.innerCwd }),
    env: {
      PATH: "/usr/local/bin:/usr/bin:/bin",
      HOME: visible.home,
      TMPDIR: visible.tmp,
      LANG: "C.UTF-8",
      CI: "true",
      FORCE_COLOR: "0",
      [EXERCISES_DIR_ENV]: options.run.exercisesDir,
      [EVENTS_FD_ENV]: "3",
      [NONCE_FD_ENV]: "4",
    },
    uid: options.uid,
    gid: options.gid,
    wallMs: limits.wallMs,
    memoryBytes: limits.memoryBytes,
    tasks: limits.tasks,
    extraPipes: 2,
    hiddenDirs: options.hiddenDirs,
    binds: options.run.binds,
    isHelper: isJestHelper,
  });
  const { child } = sandboxed;
  const nonceStream = child.stdio[4] as Writable | null;
  nonceStream?.on("error", () => {}); // the run may die before reading it
  nonceStream?.end(nonce);
  const channel = readChannel(child.stdio[3] as Readable, nonce);
  if (options.verbose) {
    child.stdout?.on("data", (chunk: Buffer) => process.stderr.write(chunk));
    child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(chunk));
  }

  const limitsByName = new Map(testFile.tests.map((t) => [t.name, t.timeoutMs]));
  const watchdog = setInterval(() => {
    const now = Date.now();
    const frozen = frozenTest(channel.events, now, new Map(limitsByName));
    if (frozen) sandboxed.stop(frozenTestMessage(frozen, now));
  }, POLL_MS);
  const exit = await sandboxed.finished;
  clearInterval(watchdog);

  const testNames = testFile.tests.map((t) => t.name);
  const verdict = classifyEnding(
    {
      code: exit.code,
      signal: exit.signal,
      ...(exit.stopReason === undefined ? {} : { stopReason: exit.stopReason }),
      ...(exit.setupError === undefined ? {} : { setupError: exit.setupError }),
      stderr: exit.stderr,
      oomKills: exit.stats.oomKills,
      taskLimitHits: exit.stats.taskLimitHits,
    },
    channel.events,
    testNames,
    channel.forged(),
    limits.memoryBytes,
  );
  const collected = collectResults(
    testFile.exercise,
    {
      events: channel.events,
      jest: readJestReport(path.join(host.out, "jest.json")),
      log: `${exit.stdout}\n${exit.stderr}`,
      ...(verdict.stopReason === undefined ? {} : { stopReason: verdict.stopReason }),
      strayProcesses: exit.strays,
      wallMs: exit.wallMs,
    },
    undefined,
    {
      manifest: testFile.tests,
      hidden: testFile.hidden,
      interruptedStatus: verdict.interruptedStatus,
    },
  );
  return applyVerdict(collected, verdict);
}
