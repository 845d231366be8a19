// Worker thread entry: receives { type: "mutate", box, shared }, changes its copy of `box`
// (count + 1, an item pushed) and adds 1 to shared[0] with Atomics, then posts back
// { type: "mutated", box } with its changed copy. Exits on the STOP_MESSAGE. Notebook 00 uses
// it to show that postMessage copies ordinary objects while a SharedArrayBuffer is shared.
import { parentPort } from "node:worker_threads";
import { isStopMessage } from "../process";

/** The message the worker expects. */
export interface MutateRequest {
  type: "mutate";
  box: { count: number; items: string[] };
  /** A view on a SharedArrayBuffer: the one thing both threads really share. */
  shared: Int32Array;
}

const port = parentPort;
if (port === null) throw new Error("mutating-worker must run as a worker thread");
port.on("message", (msg: unknown) => {
  if (isStopMessage(msg)) {
    port.close();
    return;
  }
  const request = msg as MutateRequest;
  request.box.count += 1;
  request.box.items.push("added by the worker");
  Atomics.add(request.shared, 0, 1);
  port.postMessage({ type: "mutated", box: request.box });
});
