/**
 * Reference solution of ex05, the main side: the ventilator and the sink of a task farm over
 * ZeroMQ PUSH/PULL, with its workers as child processes. Also a CLI:
 * `npx tsx exercises/ex05-task-farm/task-farm.ts 3 100` farms 100 tasks out to 3 workers.
 */
import * as path from "node:path";
import {
  ChannelError,
  childChannel,
  jsonCodec,
  spawnEntry,
  zmqEndpoint,
  zmqPull,
  zmqPush,
  type ChildHandle,
  type Channel,
  type ZmqPull,
  type ZmqPush,
} from "kernel-lib";
import type { ControlMessage, ResultMessage, SinkMessage, Task, TaskMessage } from "./messages";
import { MAX_ROUNDS } from "./work";

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

const isTransport = (t: unknown): t is FarmTransport => t === "ipc" || t === "tcp";

function checkOptions(options: FarmOptions): void {
  const bad = (why: string): never => {
    throw new ChannelError("InvalidArgument", `runFarm: ${why}`);
  };
  const { tasks, workers, transport = "ipc" } = options;
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    bad(`workers must be an integer from 1 to ${MAX_WORKERS}, got ${workers}`);
  }
  if (!isTransport(transport)) bad(`transport must be "ipc" or "tcp", got ${String(transport)}`);
  if (!Array.isArray(tasks)) bad("tasks must be an array");
  const ids = new Set<number>();
  for (const task of tasks) {
    const { id, seed, rounds } = task;
    if (!Number.isSafeInteger(id)) bad(`task ids must be integers, got ${id}`);
    if (ids.has(id)) bad(`task id ${id} appears twice: ids name tasks, each done once`);
    ids.add(id);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      bad(`task ${id}: seed must be an integer from 0 to 2^32 - 1, got ${seed}`);
    }
    if (!Number.isInteger(rounds) || rounds < 0 || rounds > MAX_ROUNDS) {
      bad(`task ${id}: rounds must be an integer from 0 to ${MAX_ROUNDS}, got ${rounds}`);
    }
  }
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
  checkOptions(options);
  const { tasks, workers: count, transport = "ipc" } = options;
  let sink: ZmqPull<SinkMessage> | undefined;
  let ventilator: ZmqPush<TaskMessage> | undefined;
  const children: ChildHandle[] = [];
  const controls: Channel<ControlMessage>[] = [];
  let sending: Promise<void> | undefined;
  try {
    sink = await zmqPull(jsonCodec<SinkMessage>(), { bind: zmqEndpoint(transport, "results") });
    ventilator = await zmqPush(jsonCodec<TaskMessage>(), {
      bind: zmqEndpoint(transport, "tasks"),
    });
    const endpoints = { tasks: ventilator.endpoint, results: sink.endpoint };
    for (let worker = 0; worker < count; worker++) {
      const child = spawnEntry(WORKER_ENTRY, {
        args: [endpoints.tasks, endpoints.results, String(worker)],
      });
      children.push(child);
      controls.push(childChannel(child, jsonCodec<ControlMessage>()));
    }

    // A worker that exits before it is told to stop has failed: note why and close the sink,
    // which ends whatever wait below is in progress.
    let stopping = false;
    let failure: Error | undefined;
    const openSink = sink;
    children.forEach((child, worker) => {
      void child.exited.then((exit) => {
        if (stopping || failure) return;
        failure = new Error(
          `worker ${worker} (pid ${child.pid}) exited before it was stopped ` +
            `(code ${exit.code}, signal ${exit.signal})`,
        );
        void openSink.close();
      });
    });
    const receive = async (timeoutMs?: number): Promise<SinkMessage> => {
      try {
        return await openSink.recv(timeoutMs === undefined ? {} : { timeoutMs });
      } catch (err) {
        throw failure ?? err;
      }
    };

    // The sync step: no task leaves before every worker is connected.
    const ready = new Set<number>();
    const readyBy = Date.now() + READY_TIMEOUT_MS;
    while (ready.size < count) {
      const msg = await receive(Math.max(1, readyBy - Date.now())).catch((err: unknown) => {
        throw (
          failure ??
          new Error(`only ${ready.size} of ${count} workers became ready`, {
            cause: err,
          })
        );
      });
      if (msg.type !== "ready") throw new Error(`result before every worker was ready: ${msg.id}`);
      ready.add(msg.worker);
    }

    // Send and collect at once: a farm that only sends fills every queue on the way while the
    // results pile up unread, and then everyone waits.
    const openVentilator = ventilator;
    sending = (async () => {
      for (const task of tasks) await openVentilator.send({ type: "task", ...task });
    })();
    const expected = new Set(tasks.map((t) => t.id));
    const results: ResultMessage[] = [];
    const done = new Map<number, ResultMessage>();
    while (done.size < expected.size) {
      const msg = await receive();
      if (msg.type !== "result") throw new Error(`worker ${msg.worker} was ready twice`);
      if (!expected.has(msg.id)) throw new Error(`result for unknown task ${msg.id}`);
      if (done.has(msg.id)) throw new Error(`task ${msg.id} came back twice`);
      done.set(msg.id, msg);
      results.push(msg);
    }
    await sending;

    // Everything is in: stop each worker on its own pipe and wait for it to exit.
    stopping = true;
    for (const control of controls) {
      await control.send({ type: "stop" });
      await control.close();
    }
    const exits = await Promise.all(children.map((child) => child.exited));
    const workers = children.map((child, worker): FarmWorker => ({
      worker,
      pid: child.pid,
      tasksDone: results.filter((r) => r.worker === worker).length,
      exitCode: exits[worker]?.code ?? null,
    }));
    const failed = workers.find((w) => w.exitCode !== 0);
    if (failed) throw new Error(`worker ${failed.worker} exited with code ${failed.exitCode}`);
    return { results, workers, endpoints };
  } finally {
    // On success all of this is done or harmless (close twice is); on a failure it releases
    // what is left: a worker still running is stopped (EOF on its pipe, then signals).
    await ventilator?.close();
    await sink?.close();
    await sending?.catch(() => {});
    for (const control of controls) await control.close().catch(() => {});
    await Promise.all(children.map((child) => child.stop()));
  }
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
