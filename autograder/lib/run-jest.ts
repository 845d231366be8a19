/**
 * Runs the graded tests of one exercise in a jest child process, under two watchdogs:
 * - per test: a test still running well past its own time limit has frozen its process (an
 *   endless loop blocks the test's timer too), so the run is stopped;
 * - per run: a wall-clock limit for the whole exercise.
 * Jest runs in its own process group, so stopping it kills every process the tests started,
 * and after a normal exit any process the tests left behind is found and killed the same way.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXERCISES_DIR_ENV, REPO_ROOT } from "./exercise-path";
import { GRADER_EVENTS_ENV, readEvents, type GraderEvent } from "./grader-events";
import { CLEANUP_MS, WATCHDOG_GRACE_MS } from "./limits";

/** Jest's `--json` output, the parts grading reads. */
export interface JestJson {
  testResults: {
    name: string;
    message: string;
    assertionResults: {
      title: string;
      status: string;
      failureMessages: string[];
    }[];
  }[];
}

/** Options of {@link runJest}. */
export interface JestRunOptions {
  /** The graded test file to run. */
  testFile: string;
  /** Absolute directory of the code under test (becomes IPC_EXERCISES_DIR). */
  exercisesDir: string;
  /** Run only tests whose name contains this text. */
  testFilter?: string;
  /** Wall-clock limit of the whole run. */
  timeLimitMs: number;
  /** Copy jest's output (and the test processes' stderr) to this process's stderr. */
  verbose: boolean;
}

/** What a jest run left behind. */
export interface JestRun {
  events: GraderEvent[];
  /** Jest's report; absent when jest was stopped or crashed. */
  jest: JestJson | undefined;
  /** Jest's stdout and stderr, interleaved. */
  log: string;
  /** Why the run was stopped early, if it was. */
  stopReason?: string;
  /** Processes the tests started that were still running after jest exited (then killed). */
  strayProcesses: string[];
  wallMs: number;
}

const POLL_MS = 250;
const JEST_BIN = path.join(REPO_ROOT, "node_modules", "jest", "bin", "jest.js");
const JEST_CONFIG = path.join(REPO_ROOT, "autograder", "jest.grading.config.js");

/** Escapes `text` for use as a literal inside a regular expression (jest's `-t`). */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Processes of group `pgid` that the tests started, as "pid command" (zombies and jest's own
 * helpers excluded: jest may exit before the workers that hashed files for its cache). Read
 * from /proc; where there is none, any survivor in the group counts.
 */
function strayProcessesIn(pgid: number): string[] {
  if (!fs.existsSync("/proc/self/stat"))
    return signalGroup(pgid, 0) ? [`process group ${pgid}`] : [];
  const strays: string[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the parenthesised command name: state ppid pgrp ...
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) !== pgid || state === "Z") continue;
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").filter(Boolean);
      if (args.some((a) => /[\\/](jest-worker|jest-haste-map)[\\/]/.test(a))) continue;
      const script = args.find((a) => /\.[cm]?[jt]s$/.test(a) && !a.includes("node_modules"));
      strays.push(`pid ${entry} (${script ? path.basename(script) : args.join(" ")})`);
    } catch {
      // It exited while we looked: not a stray.
    }
  }
  return strays;
}

/** Sends `signal` to every process in group `pgid`; false when the group no longer exists. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs jest on `testFile` and resolves when it and every process it started are gone.
 * Never rejects for test failures; those are in the returned events and report.
 */
export async function runJest(options: JestRunOptions): Promise<JestRun> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-grade-"));
  const eventsFile = path.join(tmp, "events.jsonl");
  const jsonFile = path.join(tmp, "jest.json");
  const args = [
    JEST_BIN,
    "--config",
    JEST_CONFIG,
    "--runInBand",
    "--ci",
    "--forceExit",
    "--json",
    "--outputFile",
    jsonFile,
  ];
  if (options.testFilter !== undefined) {
    args.push("--testNamePattern", escapeRegExp(options.testFilter));
  }
  args.push(options.testFile);
  const started = Date.now();
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    // Its own process group: one signal then reaches jest and everything the tests started.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      [EXERCISES_DIR_ENV]: options.exercisesDir,
      [GRADER_EVENTS_ENV]: eventsFile,
      FORCE_COLOR: "0",
    },
  });
  const pgid = child.pid ?? -1;
  let log = "";
  const collect = (chunk: Buffer): void => {
    log += chunk.toString("utf8");
    if (options.verbose) process.stderr.write(chunk);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);

  let stopReason: string | undefined;
  const stop = (reason: string): void => {
    if (stopReason !== undefined) return;
    stopReason = reason;
    signalGroup(pgid, "SIGKILL");
  };
  const watchdog = setInterval(() => {
    const now = Date.now();
    if (now - started > options.timeLimitMs) {
      stop(`the exercise run was stopped at its time limit of ${options.timeLimitMs / 1000} s`);
      return;
    }
    const frozen = frozenTest(readEvents(eventsFile), now);
    if (frozen) stop(frozenTestMessage(frozen, now));
  }, POLL_MS);

  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  clearInterval(watchdog);
  // Anything still in the group was started by the tests and outlived jest: kill it.
  const strayProcesses = stopReason === undefined ? strayProcessesIn(pgid) : [];
  signalGroup(pgid, "SIGKILL");
  // The rest of jest's output; a stray process holding its pipes is dead now, so this is short.
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);

  let jest: JestJson | undefined;
  try {
    jest = JSON.parse(fs.readFileSync(jsonFile, "utf8")) as JestJson;
  } catch {
    jest = undefined;
  }
  const events = readEvents(eventsFile);
  fs.rmSync(tmp, { recursive: true, force: true });
  const run: JestRun = { events, jest, log, strayProcesses, wallMs: Date.now() - started };
  if (stopReason !== undefined) run.stopReason = stopReason;
  return run;
}

/** A test that started and has outlived its limit, cleanup and grace. */
export interface FrozenTest {
  name: string;
  /** When it started. */
  since: number;
  timeoutMs: number;
}

/** Why a run with a frozen test was stopped, naming the test. */
export function frozenTestMessage(frozen: FrozenTest, now: number): string {
  return (
    `"${frozen.name}" ran ${Math.round((now - frozen.since) / 1000)} s, past its limit of ` +
    `${frozen.timeoutMs / 1000} s, without reacting to its own timer: an endless loop ` +
    `that never yields (e.g. a while loop that makes no progress), or a blocking wait that ` +
    `never returns (e.g. Atomics.wait on a lock nobody releases)? The run was stopped.`
  );
}

/**
 * The test that started and has outlived its limit, cleanup and grace, if any. `limits` gives
 * each test's time limit when the events' own declarations are not to be trusted.
 */
export function frozenTest(
  events: readonly GraderEvent[],
  now: number,
  limits = new Map<string, number>(),
): FrozenTest | undefined {
  const trustEvents = limits.size === 0;
  const running = new Map<string, number>();
  for (const e of events) {
    if (e.type === "declare") {
      if (trustEvents) limits.set(e.name, e.timeoutMs);
    } else if (e.type === "start") running.set(e.name, e.at);
    else if (e.type === "end") running.delete(e.name);
  }
  for (const [name, since] of running) {
    const timeoutMs = limits.get(name) ?? 0;
    if (now - since > timeoutMs + CLEANUP_MS + WATCHDOG_GRACE_MS) return { name, since, timeoutMs };
  }
  return undefined;
}
