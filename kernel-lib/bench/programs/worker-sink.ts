// Benchmark worker: counts the byte messages it receives; on "report" it answers
// { messages, bytes } and starts counting afresh. workerData.mode picks the receive path:
// "raw" listens on parentPort directly, "channel" iterates kernel-lib's parentChannel().
import { parentPort, workerData } from "node:worker_threads";
import { parentChannel } from "../../src";

type Report = { messages: number; bytes: number };
let messages = 0;
let bytes = 0;

function count(msg: unknown): Report | undefined {
  if (msg === "report") {
    const r = { messages, bytes };
    messages = 0;
    bytes = 0;
    return r;
  }
  if (ArrayBuffer.isView(msg)) {
    messages++;
    bytes += msg.byteLength;
  }
  return undefined;
}

if ((workerData as { mode: string }).mode === "raw") {
  parentPort!.on("message", (msg: unknown) => {
    if (typeof msg === "object" && msg !== null && "type" in msg) {
      parentPort!.close(); // the stop message
      return;
    }
    const r = count(msg);
    if (r) parentPort!.postMessage(r);
  });
} else {
  void (async () => {
    const ch = parentChannel<unknown>();
    for await (const msg of ch) {
      const r = count(msg);
      if (r) await ch.send(r);
    }
    await ch.close();
  })();
}
