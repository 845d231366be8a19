// Worker program: a producer on a BoundedQueue (a priority queue in shared memory). It attaches
// to the queue's SharedArrayBuffer and sends the given messages in order with the blocking
// `sendSync`: while the queue is full its thread sleeps in Atomics.wait, as a process blocks
// in mq_send. After each message the queue accepted it stores how many it has sent in
// progress[0] (an Int32Array on a SharedArrayBuffer), which the parent can read at any moment,
// even while this thread sleeps. At the end it posts one report and exits:
//   { type: "done", sent }                   every message was sent
//   { type: "failed", sent, code, message }  a send failed (ChannelClosed when the queue was
//                                            closed, Timeout after timeoutMs)
// It holds no OS resource, so stop() may terminate it while it sleeps.
//
// workerData: { buffer: SharedArrayBuffer; progress: Int32Array;
//               messages: { priority: number; text: string }[]; timeoutMs?: number }
import { parentPort, workerData } from "node:worker_threads";
import { isChannelError } from "../channel";
import { BoundedQueue } from "../queue/bounded-queue";

/** The worker's start data. */
export interface SharedProducerData {
  buffer: SharedArrayBuffer;
  progress: Int32Array;
  messages: { priority: number; text: string }[];
  /** Bound on each blocked send, in ms. Default 30000. */
  timeoutMs?: number;
}

/** The one report the worker posts before it exits. */
export type SharedProducerReport =
  { type: "done"; sent: number } | { type: "failed"; sent: number; code: string; message: string };

function main(): void {
  const data = workerData as SharedProducerData;
  const queue = new BoundedQueue(data.buffer);
  const encoder = new TextEncoder();
  let sent = 0;
  let report: SharedProducerReport;
  try {
    for (const { priority, text } of data.messages) {
      queue.sendSync(encoder.encode(text), { priority, timeoutMs: data.timeoutMs ?? 30_000 });
      sent++;
      Atomics.store(data.progress, 0, sent);
      Atomics.notify(data.progress, 0);
    }
    report = { type: "done", sent };
  } catch (err) {
    if (!isChannelError(err)) throw err;
    report = { type: "failed", sent, code: err.code, message: err.message };
  }
  parentPort?.postMessage(report);
}

main();
