/**
 * Hidden graded tests of ex05 (task farm): the edges of a farm (no tasks, one worker, more
 * workers than tasks), ids that are not positions, two farms at once, and a worker stopped by
 * the end of its pipe alone. Never released to learners; `npm run grade` runs them after the
 * public ones.
 */
import { graded } from "../lib/graded";
import {
  expectCleanShutdown,
  expectEachTaskOnce,
  expectValues,
  expectWorkersAccounted,
  farm,
  seededTasks,
  withLoneWorker,
} from "../tests/programs/ex05-task-farm/farm-checks";

const FARM_MS = 45_000;

graded(
  "farms out no tasks: every worker still starts, does nothing and exits 0",
  2,
  async () => {
    const run = await farm().runFarm({ tasks: [], workers: 2 });
    const step = "runFarm(0 tasks, 2 workers)";
    expect({ step, results: run.results }).toEqual({ step, results: [] });
    expectWorkersAccounted(run, 2, step);
    expect({ step, tasksDone: run.workers.map((w) => w.tasksDone) }).toEqual({
      step,
      tasksDone: [0, 0],
    });
    expectCleanShutdown(run, step);
  },
  {
    timeoutMs: FARM_MS,
    hint: "with no tasks, there is nothing to collect: go straight from the sync step to stopping",
  },
);

graded(
  "runs more workers than tasks (5 workers, 3 tasks): each task once, idle workers exit 0",
  2,
  async () => {
    const tasks = seededTasks(601, 3);
    const run = await farm().runFarm({ tasks, workers: 5 });
    const step = "runFarm(3 tasks, 5 workers)";
    expectEachTaskOnce(run.results, tasks, step);
    expectValues(run.results, tasks, step);
    expectWorkersAccounted(run, 5, step);
    expectCleanShutdown(run, step);
  },
  {
    timeoutMs: FARM_MS,
    hint: "stop every worker, including those that got no task, and wait for each to exit",
  },
);

graded(
  "one worker does all 50 tasks and returns them in the order they were sent",
  2,
  async () => {
    const tasks = seededTasks(602, 50).map((t, k) => ({ ...t, id: k % 2 ? -k : k * 1_000_003 }));
    const run = await farm().runFarm({ tasks, workers: 1, transport: "tcp" });
    const step = "runFarm(50 tasks with negative and large ids, 1 worker, tcp)";
    expectEachTaskOnce(run.results, tasks, step);
    expectValues(run.results, tasks, step);
    expect({ step, order: run.results.map((r) => r.id) }).toEqual({
      step,
      order: tasks.map((t) => t.id),
    });
    expect({ step, tasksDone: run.workers.map((w) => w.tasksDone) }).toEqual({
      step,
      tasksDone: [50],
    });
    expectCleanShutdown(run, step);
  },
  {
    timeoutMs: FARM_MS,
    hint:
      "ids are names, not positions: any distinct integers; one PUSH to one PULL keeps the " +
      "order, so send the tasks in the order given",
  },
);

graded(
  "two farms at once keep their tasks, results and workers apart",
  2,
  async () => {
    const { runFarm } = farm();
    const a = seededTasks(603, 40);
    const b = seededTasks(604, 40).map((t) => ({ ...t, id: t.id + 2_000_000 }));
    const [runA, runB] = await Promise.all([
      runFarm({ tasks: a, workers: 2 }),
      runFarm({ tasks: b, workers: 2, transport: "tcp" }),
    ]);
    expectEachTaskOnce(runA.results, a, "farm A (ipc)");
    expectEachTaskOnce(runB.results, b, "farm B (tcp)");
    expectValues(runB.results, b, "farm B (tcp)");
    const pidsA = runA.workers.map((w) => w.pid);
    const shared = runB.workers.filter((w) => pidsA.includes(w.pid));
    expect({ sharedWorkers: shared }).toEqual({ sharedWorkers: [] });
    expectCleanShutdown(runA, "farm A (ipc)");
    expectCleanShutdown(runB, "farm B (tcp)");
  },
  {
    timeoutMs: 60_000,
    hint: "each run binds fresh endpoints (zmqEndpoint), never a fixed path or port",
  },
);

graded(
  "a worker whose control pipe ends without a stop message exits 0 too",
  2,
  () =>
    withLoneWorker("tcp", 0, async (w) => {
      const ready = await w.next("waiting for the worker's ready message");
      expect(ready).toMatchObject({ type: "ready", worker: 0 });
      await w.control.close();
      const exit = await w.exit("after its control pipe ended (EOF, no stop message)");
      expect({ step: "the worker's exit", ...exit }).toEqual({
        step: "the worker's exit",
        code: 0,
        signal: null,
      });
    }),
  {
    timeoutMs: 40_000,
    hint:
      "the end of the control pipe means the farm is gone: treat it as a stop (the for await " +
      "loop over parentPipes' reader simply ends)",
  },
);
