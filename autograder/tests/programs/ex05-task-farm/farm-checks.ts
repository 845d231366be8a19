/**
 * The test side of ex05 (task farm), shared by the public, hidden and speed tests: seeded
 * tasks, the expected value of each (computed here, not by the learner's `work.ts`), the checks
 * on a finished run, and a harness that runs the learner's worker program alone, with the test
 * as its ventilator and sink.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  childChannel,
  jsonCodec,
  liveResources,
  spawnEntry,
  zmqEndpoint,
  zmqPull,
  zmqPush,
  type Channel,
  type ChildHandle,
  type ExitInfo,
  type ZmqEndpointKind,
  type ZmqPull,
  type ZmqPush,
} from "kernel-lib";
import type {
  ControlMessage,
  ResultMessage,
  SinkMessage,
  Task,
  TaskMessage,
} from "../../../../exercises/ex05-task-farm/messages";
import type * as TaskFarm from "../../../../exercises/ex05-task-farm/task-farm";
import { exerciseFile, loadExercise } from "../../../lib/exercise-path";
import { createRandom } from "../../../lib/seeded-random";

export const SLUG = "ex05-task-farm";

/** The learner's `task-farm.ts`. */
export const farm = (): typeof TaskFarm => loadExercise<typeof TaskFarm>(SLUG, "task-farm");

/** How long a worker process may take to start and report ready on a busy 2-core machine. */
export const WORKER_READY_MS = 20_000;

/** The expected result of a task: xorshift32, as `work.ts` documents it, computed here. */
export function expectedValue(task: Task): number {
  let x = task.seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < task.rounds; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x >>> 0;
}

/**
 * `count` tasks from `seed`: distinct ids drawn from a wide range (not 0..n-1, so an id cannot
 * be confused with a position), random seeds, rounds from `minRounds` to `maxRounds`.
 */
export function seededTasks(
  seed: number,
  count: number,
  minRounds = 0,
  maxRounds = 20_000,
): Task[] {
  const random = createRandom(seed);
  const ids = new Set<number>();
  while (ids.size < count) ids.add(random.int(0, 1_000_000));
  return [...ids].map((id) => ({
    id,
    seed: random.int(0, 0xffffffff),
    rounds: random.int(minRounds, maxRounds),
  }));
}

/** At most `max` items of a list, for failure messages. */
function few(items: readonly unknown[], max = 8): string {
  const shown = items.slice(0, max).map((x) => JSON.stringify(x));
  return `[${shown.join(", ")}${items.length > max ? `, ... (${items.length} in all)` : ""}]`;
}

/** Throws unless the results hold every task's id exactly once and no other id. */
export function expectEachTaskOnce(
  results: readonly ResultMessage[],
  tasks: readonly Task[],
  step: string,
): void {
  const wanted = new Set(tasks.map((t) => t.id));
  const seen = new Map<number, number>();
  for (const r of results) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
  const missing = tasks.map((t) => t.id).filter((id) => !seen.has(id));
  const twice = [...seen].filter(([, n]) => n > 1).map(([id, n]) => ({ id, times: n }));
  const unknown = [...seen.keys()].filter((id) => !wanted.has(id));
  if (missing.length || twice.length || unknown.length || results.length !== tasks.length) {
    throw new Error(
      `${step}: expected one result per task (${tasks.length}), got ${results.length}: ` +
        `missing ids ${few(missing)}, ids more than once ${few(twice)}, unknown ids ${few(unknown)}`,
    );
  }
}

/** Throws unless every result carries the value its task computes. */
export function expectValues(
  results: readonly ResultMessage[],
  tasks: readonly Task[],
  step: string,
): void {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const wrong: { id: number; expected: number; got: unknown }[] = [];
  for (const r of results) {
    const task = byId.get(r.id);
    if (task && r.value !== expectedValue(task)) {
      wrong.push({ id: r.id, expected: expectedValue(task), got: r.value });
    }
  }
  if (wrong.length > 0) {
    throw new Error(
      `${step}: ${wrong.length} of ${results.length} results have the wrong value ` +
        `(expected doTask(task), as work.ts computes it): ${few(wrong, 4)}`,
    );
  }
}

/**
 * Throws unless `run.workers` lists workers 0..n-1 with distinct pids (none of them this
 * process), each result names one of them with its pid, and each worker's `tasksDone` is the
 * number of results that name it.
 */
export function expectWorkersAccounted(run: TaskFarm.FarmRun, workers: number, step: string) {
  const listed = run.workers.map((w) => w.worker);
  const indices = Array.from({ length: workers }, (_, k) => k);
  expect({ step, workers: listed }).toEqual({ step, workers: indices });
  const pids = run.workers.map((w) => w.pid);
  if (new Set(pids).size !== workers || pids.includes(process.pid)) {
    throw new Error(`${step}: expected ${workers} distinct worker pids, got ${few(pids)}`);
  }
  for (const r of run.results) {
    const pid = run.workers[r.worker]?.pid;
    if (pid === undefined || r.pid !== pid) {
      throw new Error(
        `${step}: result for task ${r.id} names worker ${r.worker} with pid ${r.pid}, ` +
          `but that worker's pid is ${pid}`,
      );
    }
  }
  const counted = run.workers.map((w) => run.results.filter((r) => r.worker === w.worker).length);
  expect({ step, tasksDone: run.workers.map((w) => w.tasksDone) }).toEqual({
    step,
    tasksDone: counted,
  });
}

/** True while `pid` names a process (a zombie counts: it has not been waited for). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Throws unless every worker exited with code 0 and is gone, kernel-lib holds nothing open, and
 * no ipc socket file (or its directory) of the run is left.
 */
export function expectCleanShutdown(run: TaskFarm.FarmRun, step: string): void {
  const codes = run.workers.map((w) => w.exitCode);
  expect({ step, exitCodes: codes }).toEqual({ step, exitCodes: codes.map(() => 0) });
  const alive = run.workers.filter((w) => isAlive(w.pid)).map((w) => w.pid);
  if (alive.length > 0) {
    throw new Error(`${step}: worker processes still alive after runFarm resolved: ${few(alive)}`);
  }
  expect({ step, open: liveResources() }).toEqual({ step, open: [] });
  for (const address of [run.endpoints.tasks, run.endpoints.results]) {
    if (!address.startsWith("ipc://")) continue;
    const file = address.slice("ipc://".length);
    if (fs.existsSync(file) || fs.existsSync(path.dirname(file))) {
      throw new Error(`${step}: the ipc socket file ${file} (or its directory) is still there`);
    }
  }
}

/** The learner's worker program, run alone, with the test as its ventilator and sink. */
export interface LoneWorker {
  child: ChildHandle;
  /** The test's ventilator: PUSH, bound. */
  tasks: ZmqPush<TaskMessage>;
  /** The test's sink: PULL, bound. */
  results: ZmqPull<SinkMessage>;
  /** The worker's control pipe. */
  control: Channel<ControlMessage>;
  /** Everything the worker wrote to stderr so far. */
  stderr(): string;
  /** The next message on the sink, failing with the worker's stderr if it exits first. */
  next(step: string, timeoutMs?: number): Promise<SinkMessage>;
  /** Its exit, failing if it takes longer than `timeoutMs`. */
  exit(step: string, timeoutMs?: number): Promise<ExitInfo>;
}

/**
 * The last lines of a process's stderr, for failure messages, without stack frames (jest drops
 * lines that look like them from a message, and the error's own line is what tells).
 */
export function tail(text: string, lines = 4): string {
  const kept = text.split("\n").filter((line) => line.trim() !== "" && !/^\s+at /.test(line));
  return kept.slice(-lines).join("\n") || "(nothing)";
}

/**
 * Starts the learner's `farm-worker.ts` as `farm` would, as worker `index`, connected to a
 * ventilator and a sink the test binds, runs `body`, and closes everything afterwards.
 */
export async function withLoneWorker(
  kind: ZmqEndpointKind,
  index: number,
  body: (w: LoneWorker) => Promise<void>,
): Promise<void> {
  const results = await zmqPull(jsonCodec<SinkMessage>(), { bind: zmqEndpoint(kind, "results") });
  const tasks = await zmqPush(jsonCodec<TaskMessage>(), { bind: zmqEndpoint(kind, "tasks") });
  const child = spawnEntry(exerciseFile(SLUG, "farm-worker"), {
    args: [tasks.endpoint, results.endpoint, String(index)],
  });
  let stderr = "";
  child.child.stderr?.on("data", (text: string) => (stderr += text));
  // A process's exit is reported before the last of its stderr has been read.
  const stderrClosed = new Promise<void>((resolve) => {
    if (!child.child.stderr) resolve();
    child.child.stderr?.once("close", () => resolve());
  });
  const control = childChannel(child, jsonCodec<ControlMessage>());
  const exitedEarly = async (step: string): Promise<never> => {
    const exit = await child.exited;
    await Promise.race([stderrClosed, new Promise((resolve) => setTimeout(resolve, 1000))]);
    throw new Error(
      `${step}: expected a message on the sink, but the worker exited first (code ` +
        `${exit.code}, signal ${exit.signal}); its stderr ends with:\n${tail(stderr)}`,
    );
  };
  const worker: LoneWorker = {
    child,
    tasks,
    results,
    control,
    stderr: () => stderr,
    next: (step, timeoutMs = WORKER_READY_MS) =>
      Promise.race([
        results.recv({ timeoutMs }).catch((err: unknown) => {
          throw new Error(`${step}: nothing arrived on the sink within ${timeoutMs / 1000} s`, {
            cause: err,
          });
        }),
        exitedEarly(step),
      ]),
    async exit(step, timeoutMs = 10_000) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `${step}: expected the worker to exit within ${timeoutMs / 1000} s, ` +
                  `but it is still running; its stderr ends with:\n${tail(stderr)}`,
              ),
            ),
          timeoutMs,
        );
      });
      try {
        return await Promise.race([child.exited, late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
  try {
    await body(worker);
  } finally {
    await control.close();
    await child.stop(1000);
    await tasks.close();
    await results.close();
  }
}
