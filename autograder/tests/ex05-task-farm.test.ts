/**
 * Graded tests of ex05 (task farm): the learner's `runFarm` farms seeded tasks out to real
 * worker processes over ZeroMQ PUSH/PULL, and the tests check the returned results against
 * values computed here, the workers' pids against the kernel's list of live processes, and the
 * run's ipc socket files against the file system. One test runs the learner's worker program
 * alone, with the test as its ventilator and sink.
 */
import { isChannelError, liveResources } from "kernel-lib";
import type { FarmOptions } from "../../exercises/ex05-task-farm/task-farm";
import { graded } from "../lib/graded";
import {
  expectCleanShutdown,
  expectEachTaskOnce,
  expectValues,
  expectWorkersAccounted,
  expectedValue,
  farm,
  seededTasks,
  withLoneWorker,
} from "./programs/ex05-task-farm/farm-checks";

/** Time for a farm of up to 4 workers on a busy 2-core machine (a worker takes ~0.5-2 s to start). */
const FARM_MS = 45_000;

const WORKER_HINT =
  "a worker that never reports ready or never exits: see its stderr (kernel-lib forwards it, " +
  "prefixed with farm-worker.ts and its pid), or run " +
  "`npx tsx exercises/ex05-task-farm/task-farm.ts 2 10`";

graded(
  "farms one task out to one worker and returns its result",
  2,
  async () => {
    const tasks = [{ id: 42, seed: 7, rounds: 1000 }];
    const run = await farm().runFarm({ tasks, workers: 1 });
    expectEachTaskOnce(run.results, tasks, "runFarm(1 task, 1 worker)");
    expectValues(run.results, tasks, "runFarm(1 task, 1 worker)");
    expect(run.results[0]).toMatchObject({ type: "result", id: 42, worker: 0 });
  },
  { timeoutMs: FARM_MS, hint: WORKER_HINT },
);

graded(
  "processes each of 120 seeded tasks exactly once over 3 workers",
  4,
  async () => {
    const tasks = seededTasks(501, 120);
    const run = await farm().runFarm({ tasks, workers: 3 });
    expectEachTaskOnce(run.results, tasks, "runFarm(120 tasks, 3 workers)");
  },
  {
    timeoutMs: FARM_MS,
    hint:
      "collect from the sink until you hold one result per task id; the ventilator sends each " +
      "task once (zmqPush's send never drops and never repeats a message)",
  },
);

graded(
  "returns for every task the value doTask computes",
  2,
  async () => {
    const tasks = seededTasks(502, 60, 0, 200_000);
    const run = await farm().runFarm({ tasks, workers: 2 });
    expectEachTaskOnce(run.results, tasks, "runFarm(60 tasks, 2 workers)");
    expectValues(run.results, tasks, "runFarm(60 tasks, 2 workers)");
  },
  {
    timeoutMs: FARM_MS,
    hint: "the worker sends { type: 'result', id: task.id, value: doTask(task), worker, pid }",
  },
);

graded(
  "waits until every worker is ready before sending, so each of 4 workers does some of 160 tasks",
  3,
  async () => {
    const tasks = seededTasks(503, 160);
    const run = await farm().runFarm({ tasks, workers: 4 });
    const step = "runFarm(160 tasks, 4 workers)";
    expectEachTaskOnce(run.results, tasks, step);
    expectWorkersAccounted(run, 4, step);
    const idle = run.workers.filter((w) => w.tasksDone === 0).map((w) => w.worker);
    if (idle.length > 0) {
      throw new Error(
        `${step}: expected every worker to do some tasks, got tasksDone ` +
          `${JSON.stringify(run.workers.map((w) => w.tasksDone))} (idle: workers ${idle.join(", ")})`,
      );
    }
  },
  {
    timeoutMs: FARM_MS,
    hint:
      "a PUSH socket hands each message to a peer that is connected at that moment: tasks sent " +
      "before every worker has connected all go to the first one. Receive one ready message " +
      "per worker on the sink before sending the first task",
  },
);

graded(
  "stops every worker cleanly: exit code 0, no process, socket or socket file left behind",
  3,
  async () => {
    const tasks = seededTasks(504, 40);
    const run = await farm().runFarm({ tasks, workers: 3 });
    const step = "after runFarm(40 tasks, 3 workers)";
    expectEachTaskOnce(run.results, tasks, step);
    expectWorkersAccounted(run, 3, step);
    expectCleanShutdown(run, step);
  },
  {
    timeoutMs: FARM_MS,
    hint:
      "send each worker { type: 'stop' } on its own pipe (childChannel(child, codec)), close " +
      "that channel, await child.exited and check code 0; the worker closes its zmqPull and " +
      "zmqPush and returns; then close the ventilator and the sink (close() removes an ipc file)",
  },
);

graded(
  "runs over tcp as over ipc: same results, endpoints on 127.0.0.1",
  2,
  async () => {
    const tasks = seededTasks(505, 50);
    const run = await farm().runFarm({ tasks, workers: 2, transport: "tcp" });
    const step = "runFarm(50 tasks, 2 workers, tcp)";
    expectEachTaskOnce(run.results, tasks, step);
    expectValues(run.results, tasks, step);
    expect({ step, endpoints: run.endpoints }).toEqual({
      step,
      endpoints: {
        tasks: expect.stringMatching(/^tcp:\/\/127\.0\.0\.1:[1-9]\d*$/),
        results: expect.stringMatching(/^tcp:\/\/127\.0\.0\.1:[1-9]\d*$/),
      },
    });
    expectCleanShutdown(run, step);
  },
  {
    timeoutMs: FARM_MS,
    hint:
      "bind with zmqEndpoint(transport, name) and hand the workers the bound socket's " +
      "`endpoint` (tcp port 0 becomes the real port only once bound)",
  },
);

graded(
  "rejects bad options with InvalidArgument, starting nothing",
  2,
  async () => {
    const { runFarm, MAX_WORKERS } = farm();
    const ok = [{ id: 1, seed: 1, rounds: 1 }];
    const bad: [string, FarmOptions][] = [
      ["workers: 0", { tasks: ok, workers: 0 }],
      ["workers: -2", { tasks: ok, workers: -2 }],
      ["workers: 1.5", { tasks: ok, workers: 1.5 }],
      ["workers: NaN", { tasks: ok, workers: Number.NaN }],
      [`workers: MAX_WORKERS + 1`, { tasks: ok, workers: MAX_WORKERS + 1 }],
      ['transport: "inproc"', { tasks: ok, workers: 1, transport: "inproc" as "ipc" }],
      [
        "two tasks with id 3",
        {
          tasks: [
            { id: 3, seed: 1, rounds: 1 },
            { id: 3, seed: 2, rounds: 1 },
          ],
          workers: 1,
        },
      ],
      ["task id 2.5", { tasks: [{ id: 2.5, seed: 1, rounds: 1 }], workers: 1 }],
      ["rounds: -1", { tasks: [{ id: 1, seed: 1, rounds: -1 }], workers: 1 }],
    ];
    for (const [what, options] of bad) {
      let outcome = "it resolved";
      try {
        await runFarm(options);
      } catch (err) {
        if (isChannelError(err, "InvalidArgument")) {
          expect({ what, open: liveResources() }).toEqual({ what, open: [] });
          continue;
        }
        outcome = `it threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
      }
      throw new Error(`runFarm(${what}): expected ChannelError "InvalidArgument", but ${outcome}`);
    }
  },
  {
    timeoutMs: 20_000,
    hint: 'check the options first, before binding or spawning: throw new ChannelError("InvalidArgument", ...)',
  },
);

graded(
  "the worker program, run alone, reports ready, returns one result per task and exits 0 on stop",
  2,
  () =>
    withLoneWorker("ipc", 7, async (w) => {
      const ready = await w.next("waiting for the worker's ready message");
      expect(ready).toEqual({ type: "ready", worker: 7, pid: w.child.pid, ppid: process.pid });
      const tasks = seededTasks(506, 30);
      for (const task of tasks) await w.tasks.send({ type: "task", ...task });
      const results = [];
      for (let k = 0; k < tasks.length; k++) {
        const msg = await w.next(`waiting for result ${k + 1} of ${tasks.length}`, 10_000);
        if (msg.type !== "result") throw new Error(`expected a result, got ${JSON.stringify(msg)}`);
        results.push(msg);
      }
      expectEachTaskOnce(results, tasks, "the worker's results");
      for (const r of results) {
        const task = tasks.find((t) => t.id === r.id);
        const want = { type: "result", id: r.id, worker: 7, pid: w.child.pid };
        expect({ ...r, value: 0 }).toEqual({ ...want, value: 0 });
        if (task && r.value !== expectedValue(task)) {
          throw new Error(`task ${r.id}: expected value ${expectedValue(task)}, got ${r.value}`);
        }
      }
      await w.control.send({ type: "stop" });
      const exit = await w.exit("after { type: 'stop' } on its pipe");
      expect({ step: "the worker's exit", ...exit }).toEqual({
        step: "the worker's exit",
        code: 0,
        signal: null,
      });
    }),
  {
    timeoutMs: 40_000,
    hint:
      "connect zmqPull to argv[2] and zmqPush to argv[3], send { type: 'ready', worker, pid, " +
      "ppid } on the push socket, then read tasks and the control pipe (parentPipes) " +
      "concurrently; on stop close both sockets and the pipes and return",
  },
);
