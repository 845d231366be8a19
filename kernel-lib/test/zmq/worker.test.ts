/**
 * ZeroMQ from a worker thread: the worker runs a REP server, the main thread talks to it,
 * then stops it by message. The worker closes its socket and exits by itself (exit code 0;
 * `terminate()` would give 1): terminating it mid-receive would abort the process
 * (zeromq.js issue 411). Over inproc this also shows that zeromq.js's global context is
 * shared between threads.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Worker } from "node:worker_threads";
import { startWorker, utf8Codec, zmqRequester, type ZmqEndpointKind } from "../../src";
import { KINDS, OpenedEnds } from "./support";

jest.setTimeout(30_000);

const fixture = path.join(__dirname, "..", "fixtures", "zmq-rep-worker.ts");

type WorkerReport =
  | { type: "ready"; endpoint: string }
  | { type: "stopped"; served: number; live: string[] }
  | { type: "failed"; error: string };

function nextMessage(worker: Worker, timeoutMs: number): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      worker.off("message", onMessage);
      reject(new Error(`no message from the worker within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (msg: WorkerReport): void => {
      clearTimeout(timer);
      resolve(msg);
    };
    worker.once("message", onMessage);
  });
}

describe.each(KINDS)("a REP server in a worker thread, over %s", (kind: ZmqEndpointKind) => {
  const opened = new OpenedEnds();
  afterEach(() => opened.closeAll());

  it("serves the main thread, then closes its socket and exits on the stop message", async () => {
    const handle = startWorker(fixture, { workerData: { kind } });
    const ready = await nextMessage(handle.worker, 15_000);
    if (ready.type !== "ready") throw new Error(`worker did not start: ${JSON.stringify(ready)}`);
    const client = opened.add(await zmqRequester(utf8Codec, { connect: ready.endpoint }));
    for (const word of ["alpha", "beta", "gamma"]) {
      expect(await client.request(word, { timeoutMs: 5000 })).toBe(word.toUpperCase());
    }
    // The worker is now blocked in recv(): exactly the state issue 411 is about.
    const report = nextMessage(handle.worker, 10_000);
    const exitCode = await handle.stop(10_000);
    expect(await report).toEqual({ type: "stopped", served: 3, live: [] });
    expect({ exitCode, error: handle.error }).toEqual({ exitCode: 0, error: undefined });
    if (kind === "ipc") {
      const dir = path.dirname(ready.endpoint.slice("ipc://".length));
      expect(fs.existsSync(dir)).toBe(false);
    }
  });
});
