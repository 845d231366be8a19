/**
 * Speed test of ex05 (task farm), run on request only (`npm run check:speed -- ex05`), never by
 * `npm run check` or `npm run grade`: a speed floor depends on the machine and on whatever
 * else runs on it, so it is not worth points.
 *
 * The same CPU-bound tasks are farmed out to 1 worker and then to 2, each twice; the best time
 * of each counts. The tasks are sized on this machine first (about 100 ms of CPU each), so the
 * work outweighs starting the worker processes.
 */
import { Worker } from "node:worker_threads";
import { graded } from "../lib/graded";
import { expectedValue, farm, seededTasks } from "../tests/programs/ex05-task-farm/farm-checks";

/** The floor: 2 workers must finish the batch at least this many times faster than 1. */
const MIN_SPEED_UP = 1.3;
const TASKS = 40;
const TASK_MS = 100;

/** Rounds of `work.ts`'s hash that take about `ms` of CPU here (calibrated with our own copy). */
function roundsFor(ms: number): number {
  const sample = 4_000_000;
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const started = performance.now();
    expectedValue({ id: 0, seed: k + 1, rounds: sample });
    best = Math.min(best, performance.now() - started);
  }
  return Math.max(1, Math.round((sample * ms) / Math.max(best, 0.001)));
}

/** The same hash loop as `expectedValue`, for plain threads (an eval'd worker has no imports). */
const SPIN_SOURCE = `
  const { parentPort, workerData } = require("node:worker_threads");
  let x = 1;
  for (let i = 0; i < workerData; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; }
  parentPort.postMessage(x);
`;

/** Wall time of `threads` plain threads each spinning `rounds` rounds at once. */
async function spinThreads(threads: number, rounds: number): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(SPIN_SOURCE, { eval: true, workerData: rounds });
          worker.once("error", reject);
          worker.once("exit", () => resolve());
        }),
    ),
  );
  return performance.now() - started;
}

graded(
  `farms CPU-bound tasks out to 2 workers at least ${MIN_SPEED_UP} times as fast as to 1`,
  1,
  async () => {
    const { runFarm } = farm();
    const rounds = roundsFor(TASK_MS);
    const tasks = seededTasks(701, TASKS).map((t) => ({ ...t, rounds }));
    // The plain threads are measured between the farm runs, under the same load.
    const best = new Map<string, number>();
    const keep = (what: string, ms: number): void => {
      best.set(what, Math.min(best.get(what) ?? Infinity, ms));
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      keep("1 thread", await spinThreads(1, rounds * 5));
      keep("2 threads", await spinThreads(2, rounds * 5));
      for (const workers of [1, 2]) {
        const started = performance.now();
        const run = await runFarm({ tasks, workers });
        keep(`${workers} workers`, performance.now() - started);
        if (run.results.length !== tasks.length) {
          throw new Error(
            `${workers} workers: expected ${tasks.length} results, got ${run.results.length}`,
          );
        }
      }
    }
    // Two threads do twice the work of one: what this machine gives right now (2 when idle).
    const machine = (2 * (best.get("1 thread") ?? 0)) / (best.get("2 threads") ?? Infinity);
    const one = best.get("1 workers") ?? Infinity;
    const two = best.get("2 workers") ?? Infinity;
    const speedUp = one / two;
    const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
    console.log(
      `ex05 speed: ${TASKS} tasks of ~${TASK_MS} ms: 1 worker ${seconds(one)}, ` +
        `2 workers ${seconds(two)}, speed-up ${speedUp.toFixed(2)}x ` +
        `(two plain threads: ${machine.toFixed(2)}x)`,
    );
    if (!(speedUp >= MIN_SPEED_UP)) {
      const busy =
        machine < MIN_SPEED_UP + 0.2
          ? ` This machine is too busy to tell: two plain busy threads ran only ` +
            `${machine.toFixed(2)}x as fast as one. Run again when it is quiet.`
          : ` Two plain busy threads ran ${machine.toFixed(2)}x as fast as one, so the ` +
            `machine has the cores: the farm does not keep both workers busy.`;
      throw new Error(
        `expected 2 workers to be at least ${MIN_SPEED_UP}x as fast as 1, got ` +
          `${speedUp.toFixed(2)}x (best of 2 runs: 1 worker ${seconds(one)}, 2 workers ` +
          `${seconds(two)}, ${TASKS} tasks of about ${TASK_MS} ms; with 2 cores, 2x is the ` +
          `ceiling).${busy}`,
      );
    }
  },
  {
    timeoutMs: 180_000,
    hint:
      "both workers must compute at the same time: wait for every worker's ready message " +
      "before sending (or the first to connect takes every task), send the tasks while " +
      "collecting, and let each worker pull its next task as soon as it has pushed a result",
  },
);
