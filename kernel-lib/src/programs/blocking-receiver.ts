// Worker program: a receive that really blocks its thread, the way a blocking recv() does in C.
// The parent hands it one end of a MessageChannel (workerData.port) and a doorbell: an
// Int32Array on a SharedArrayBuffer (workerData.doorbell). For each { type: "block", timeoutMs }
// from the parent it
//   1. stays awake for 100 ms with a 10 ms interval timer running (to show the timer ticks),
//   2. tells the parent { type: "blocking" },
//   3. sleeps in Atomics.wait(doorbell, 0, 0, timeoutMs) until the parent rings (stores 1 and
//      calls Atomics.notify) or the timeout passes: its event loop, timer included, is frozen,
//   4. takes at most one message from the port with receiveMessageOnPort (synchronous, never
//      waits), resets the doorbell, and answers { type: "woke", ... } (see BlockingReport).
// Ends when the parent closes or stops it.
// workerData: { port: MessagePort; doorbell: Int32Array }
import { receiveMessageOnPort, workerData, type MessagePort } from "node:worker_threads";
import { parentChannel } from "../transports/worker";

/** What the parent sends. */
export interface BlockRequest {
  type: "block";
  timeoutMs: number;
}

/** What the worker answers: first "blocking", then "woke". */
export type BlockingReport =
  | { type: "blocking" }
  | {
      type: "woke";
      /** Atomics.wait's answer: "ok" (rung), "timed-out", or "not-equal" (rung before it slept). */
      result: "ok" | "timed-out" | "not-equal";
      blockedMs: number;
      ticksWhileAwake: number;
      ticksWhileBlocked: number;
      /** The message taken from the port, if one was there. */
      message: unknown;
    };

const AWAKE_MS = 100;
const TICK_MS = 10;

async function main(): Promise<void> {
  const { port, doorbell } = workerData as { port: MessagePort; doorbell: Int32Array };
  const parent = parentChannel<BlockRequest | BlockingReport>();
  for await (const request of parent) {
    if (request.type !== "block") continue;
    let ticks = 0;
    const timer = setInterval(() => ticks++, TICK_MS);
    await new Promise((resolve) => setTimeout(resolve, AWAKE_MS));
    const ticksWhileAwake = ticks;
    await parent.send({ type: "blocking" });
    const t0 = performance.now();
    const result = Atomics.wait(doorbell, 0, 0, request.timeoutMs);
    const blockedMs = performance.now() - t0;
    // Read before returning to the event loop: overdue timer callbacks only run after that.
    const ticksWhileBlocked = ticks - ticksWhileAwake;
    clearInterval(timer);
    const received = receiveMessageOnPort(port);
    Atomics.store(doorbell, 0, 0);
    await parent.send({
      type: "woke",
      result,
      blockedMs,
      ticksWhileAwake,
      ticksWhileBlocked,
      message: received?.message,
    });
  }
  port.close();
  await parent.close();
}

void main();
