/**
 * The order a correct priority queue delivers in, computed the slow and obvious way: a list of
 * what was sent, from which the best message (highest priority, then sent first) is taken. The
 * ex04 tests compare what the learner's queue delivered against it, message by message.
 */
import type { ConsumedRecord } from "./protocol";

/** One step of an ordering test: a producer sends `count` seeded records, or `take` receives. */
export type OrderStep =
  { send: { producer: number; count: number; seed: number } } | { take: number };

interface Queued {
  producer: number;
  seq: number;
  priority: number;
}

const name = (r: Queued): string => `producer ${r.producer} seq ${r.seq} priority ${r.priority}`;

/** A priority queue without capacity, holding what the learner's queue should hold. */
export class PriorityModel {
  /** In send order. */
  private readonly queued: Queued[] = [];

  /** Records that `producer` sent, in order (as planned by `planRecords`). */
  send(producer: number, plan: readonly { priority: number }[]): void {
    for (const [seq, { priority }] of plan.entries()) this.queued.push({ producer, seq, priority });
  }

  /** Removes and returns the best: the highest priority, and of those the first sent. */
  take(): Queued | undefined {
    let best = -1;
    for (const [i, q] of this.queued.entries()) {
      if (best < 0 || q.priority > this.queued[best]!.priority) best = i;
    }
    return best < 0 ? undefined : this.queued.splice(best, 1)[0];
  }

  /** Throws unless `records` are the next ones, in order, naming the first that is not. */
  expectTaken(records: readonly ConsumedRecord[], step: string): void {
    for (const [i, got] of records.entries()) {
      const want = this.take();
      const gotName = `${name(got)}${got.problem ? ` (${got.problem})` : ""}`;
      if (!want || got.problem !== "" || name(got) !== name(want)) {
        throw new Error(
          `${step}: message ${i + 1}: expected ${want ? name(want) : "none"}, got ${gotName}`,
        );
      }
    }
  }
}
