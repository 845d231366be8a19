// Worker entry for `npm run bench -- zmq`: a PULL socket that counts what arrives, built
// either on raw zeromq.js or on kernel-lib's zmqPull, so the two are measured with the same
// setup. Protocol on parentPort: it posts { type: "ready", endpoint } once bound; on
// { type: "expect", total } it posts { type: "counted", messages, bytes } as soon as `total`
// messages have arrived in all. On the stop message it closes its socket and the thread
// ends by itself (never terminate a thread with a zmq receive in flight: zeromq.js issue 411).
import { parentPort, workerData } from "node:worker_threads";
import { Pull } from "zeromq";
import { bytesCodec, isStopMessage, zmqPull } from "../src";

export type SinkVariant = "zeromq.js" | "kernel-lib";
export interface SinkData {
  variant: SinkVariant;
  address: string;
}
export type SinkReport =
  { type: "ready"; endpoint: string } | { type: "counted"; messages: number; bytes: number };

let messages = 0;
let bytes = 0;
let target = Infinity;

function report(): void {
  if (messages < target) return;
  target = Infinity;
  parentPort?.postMessage({ type: "counted", messages, bytes } satisfies SinkReport);
}

function listen(close: () => void): void {
  parentPort?.on("message", (msg: unknown) => {
    if (isStopMessage(msg)) close();
    else if ((msg as { type?: unknown }).type === "expect") {
      target = (msg as { total: number }).total;
      report();
    }
  });
}

// The two loops are written out separately so neither pays for an abstraction the other
// does not have: each is what a user of that library would write.
async function countRaw(address: string): Promise<void> {
  const pull = new Pull({ linger: 0 });
  await pull.bind(address);
  listen(() => pull.close());
  parentPort?.postMessage({ type: "ready", endpoint: pull.lastEndpoint ?? address });
  for await (const [frame] of pull) {
    messages++;
    bytes += frame?.byteLength ?? 0;
    if (messages >= target) report();
  }
}

async function countKernelLib(address: string): Promise<void> {
  const rx = await zmqPull(bytesCodec, { bind: address, lingerMs: 0 });
  listen(() => void rx.close());
  parentPort?.postMessage({ type: "ready", endpoint: rx.endpoint });
  for await (const frame of rx) {
    messages++;
    bytes += frame.byteLength;
    if (messages >= target) report();
  }
}

async function main(): Promise<void> {
  const { variant, address } = workerData as SinkData;
  await (variant === "zeromq.js" ? countRaw(address) : countKernelLib(address));
  parentPort?.close();
}

void main();
