/**
 * The work a task stands for: a CPU-bound computation whose cost grows with `rounds`, as
 * rendering a tile or hashing a block would. Deterministic, so a result can be checked.
 */
import type { Task } from "./messages";

/** Largest `rounds` a task may ask for (a few seconds of CPU). */
export const MAX_ROUNDS = 2_000_000_000;

/**
 * `rounds` steps of the xorshift32 generator from `seed` (0 starts from 0x9e3779b9, since
 * xorshift never leaves 0). Synchronous: it holds the thread for `rounds` x about 2 ns.
 *
 * @example
 * hashRounds(1, 0); // 1
 * hashRounds(1, 1); // 270369
 */
export function hashRounds(seed: number, rounds: number): number {
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < rounds; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x >>> 0;
}

/**
 * The result of a task: what a worker sends back as `ResultMessage.value`.
 *
 * @example
 * doTask({ id: 7, seed: 1, rounds: 1 }); // 270369
 */
export function doTask(task: Task): number {
  return hashRounds(task.seed, task.rounds);
}
