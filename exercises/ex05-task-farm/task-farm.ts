/**
 * Exercise ex05 (task farm), the main side: the ventilator and the sink of a task farm over
 * ZeroMQ PUSH/PULL, with its workers as child processes. See README.md. Also a CLI:
 * `npx tsx exercises/ex05-task-farm/task-farm.ts 3 100` farms 100 tasks out to 3 workers.
 */
import * as path from "node:path";
import type { ResultMessage, Task } from "./messages";

/** Most workers a farm may start (each is a Node process of about 60 MB). */
export const MAX_WORKERS = 8;

/** The child program every worker runs. */
export const WORKER_ENTRY = path.join(__dirname, "farm-worker.ts");

/** How long the farm waits for every worker's ready message before it gives up. */
export const READY_TIMEOUT_MS = 20_000;

/** The endpoint kinds a farm runs over: workers are processes, so not `inproc`. */
export type FarmTransport = "ipc" | "tcp";

/** What {@link runFarm} is asked to do. */
export interface FarmOptions {
  /** The tasks, each with a distinct integer `id`. May be empty. */
  tasks: readonly Task[];
  /** How many worker processes to start: an integer from 1 to {@link MAX_WORKERS}. */
  workers: number;
  /** Where the ventilator and the sink bind; default `"ipc"`. */
  transport?: FarmTransport;
}

/** One worker of a finished run. */
export interface FarmWorker {
  /** Its index, 0 to workers - 1 (its third argument). */
  worker: number;
  pid: number;
  /** How many results it sent. */
  tasksDone: number;
  /** Its exit code: 0 for a worker that stopped cleanly. */
  exitCode: number | null;
}

/** What a finished run returns. */
export interface FarmRun {
  /** One result per task, in the order they reached the sink. */
  results: ResultMessage[];
  /** Every worker, by index. */
  workers: FarmWorker[];
  /** The addresses the ventilator (`tasks`) and the sink (`results`) were bound to. */
  endpoints: { tasks: string; results: string };
}

/**
 * Farms `tasks` out to `workers` child processes over ZeroMQ (the zguide's "divide and
 * conquer"): a ventilator PUSH socket hands out the tasks, round-robin; each worker PULLs
 * them, does them and PUSHes the results to the sink, a PULL socket here.
 *
 * In order: checks the options; binds the sink and the ventilator; starts the workers; waits
 * until every worker has reported ready on the sink (until then a PUSH would give every task
 * to the first worker to connect); sends the tasks while collecting results; once there is one
 * result per task, sends each worker a stop message on its stdin pipe, waits for every worker
 * to exit, and closes both sockets (an ipc socket file goes with its socket).
 *
 * Resolves with the results, each task's exactly once, and per-worker counts. Rejects with
 * `ChannelError` `InvalidArgument` for bad options, before starting anything; with an `Error`
 * when a worker exits before it is stopped or with a code other than 0, when a worker is not
 * ready within {@link READY_TIMEOUT_MS}, or when a result is unexpected (an unknown or repeated
 * task id). Whatever the outcome, nothing is left running or open.
 *
 * @example
 * const run = await runFarm({ tasks: [{ id: 1, seed: 1, rounds: 1 }], workers: 2 });
 * // run.results: [{ type: "result", id: 1, value: 270369, worker: 0 or 1, pid }]
 */
export async function runFarm(options: FarmOptions): Promise<FarmRun> {
  // TODO: check the options (ChannelError "InvalidArgument"), before binding or starting
  //       anything: workers an integer from 1 to MAX_WORKERS, transport "ipc" or "tcp", task
  //       ids distinct integers, seed an integer from 0 to 2^32 - 1, rounds from 0 to MAX_ROUNDS.
  // TODO: bind the sink, zmqPull(jsonCodec<SinkMessage>(), { bind: zmqEndpoint(transport, ...) }),
  //       and the ventilator, zmqPush(jsonCodec<TaskMessage>(), { bind: ... }).
  // TODO: start each worker with spawnEntry(WORKER_ENTRY, { args: [tasks endpoint, results
  //       endpoint, String(index)] }) and open its control pipe: childChannel(child, codec).
  // TODO: the sync step: receive one ReadyMessage per worker on the sink, then send the tasks
  //       while collecting one ResultMessage per task (in its own async loop, at the same time).
  // TODO: send each worker { type: "stop" }, close its channel, await child.exited (code 0),
  //       close the ventilator and the sink. On any failure, release everything you opened.
  throw new Error(`TODO: ex05 runFarm(${options.tasks.length} tasks, ${options.workers} workers)`);
}

/**
 * `count` tasks with ids 0 to count - 1, seeds from a fixed sequence, `rounds` each.
 *
 * @example
 * makeTasks(2, 1000); // [{ id: 0, seed: ..., rounds: 1000 }, { id: 1, seed: ..., rounds: 1000 }]
 */
export function makeTasks(count: number, rounds: number): Task[] {
  return Array.from({ length: count }, (_, id) => ({
    id,
    seed: Math.imul(id + 1, 0x9e3779b1) >>> 0,
    rounds,
  }));
}

async function cli(): Promise<void> {
  const [workersArg, tasksArg, roundsArg = "1000000", transport = "ipc"] = process.argv.slice(2);
  if (workersArg === undefined || tasksArg === undefined) {
    console.error("usage: npx tsx task-farm.ts WORKERS TASKS [ROUNDS] [ipc|tcp]");
    process.exitCode = 2;
    return;
  }
  const tasks = makeTasks(Number(tasksArg), Number(roundsArg));
  const started = performance.now();
  const run = await runFarm({
    tasks,
    workers: Number(workersArg),
    transport: transport as FarmTransport,
  });
  for (const w of run.workers) {
    console.log(`worker ${w.worker} (pid ${w.pid}): ${w.tasksDone} tasks, exit code ${w.exitCode}`);
  }
  const ms = (performance.now() - started).toFixed(0);
  console.log(`${run.results.length} results for ${tasks.length} tasks (${ms} ms)`);
}

if (require.main === module) {
  cli().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
