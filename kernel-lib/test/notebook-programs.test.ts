/**
 * The child programs the notebooks start (src/programs/), run as real processes and threads
 * over real pipes and FIFOs. afterEach closes everything and checks nothing was left open.
 */
import * as net from "node:net";
import { bytesCodec, jsonCodec, utf8Codec } from "../src/codec";
import { isChannelError } from "../src/channel";
import { spawnEntry, startWorker } from "../src/process";
import { programPath } from "../src/programs";
import { closeAll, liveResources } from "../src/resources";
import { createFifo } from "../src/transports/fifo";
import { childChannel } from "../src/transports/pipe";
import { framedReader, framedWriter } from "../src/transports/stream-framing";
import type { SinkMessage } from "../src/programs/counting-sink";
import type { CounterCommand, CounterValue } from "../src/programs/counter-process";

jest.setTimeout(30_000);

afterEach(async () => {
  await closeAll();
  expect(liveResources()).toEqual([]);
});

/** Resolves "pending" if `p` has not settled within `ms`. */
async function stateAfter(p: Promise<unknown>, ms: number): Promise<"settled" | "pending"> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<"pending">((r) => (timer = setTimeout(() => r("pending"), ms)));
  const settled = p.then(
    () => "settled" as const,
    () => "settled" as const,
  );
  try {
    return await Promise.race([settled, pending]);
  } finally {
    clearTimeout(timer);
  }
}

function write(socket: net.Socket, text: string): Promise<void> {
  return new Promise((resolve, reject) =>
    socket.write(text, (err) => (err ? reject(err) : resolve())),
  );
}

describe("naive-reader", () => {
  it("receives several writes merged into one read: a pipe keeps no boundaries", async () => {
    const child = spawnEntry(programPath("naive-reader"), { args: ["--delay-ms", "200"] });
    const messages = ["alpha;", "bravo;", "charlie;", "delta;", "echo;"];
    for (const m of messages) await write(child.stdin, m);
    child.stdin.end();
    const report = framedReader(
      child.stdout,
      jsonCodec<{ chunks: { bytes: number; preview: string }[] }>(),
    );
    const { chunks } = await report.recv({ timeoutMs: 10_000 });
    expect(chunks.length).toBeLessThan(messages.length);
    expect(chunks.map((c) => c.preview).join("")).toBe(messages.join(""));
    expect((await child.exited).code).toBe(0);
  });

  it("receives one big write split into several reads", async () => {
    const child = spawnEntry(programPath("naive-reader"));
    const big = "x".repeat(300_000);
    await write(child.stdin, big);
    child.stdin.end();
    const report = framedReader(child.stdout, jsonCodec<{ chunks: { bytes: number }[] }>());
    const { chunks } = await report.recv({ timeoutMs: 10_000 });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.reduce((n, c) => n + c.bytes, 0)).toBe(big.length);
  });
});

describe("counting-sink", () => {
  it("reports frames and bytes since the last report on every empty frame", async () => {
    const child = spawnEntry(programPath("counting-sink"));
    const writer = framedWriter(child.stdin, bytesCodec);
    const reader = framedReader(child.stdout, jsonCodec<SinkMessage>());
    for (let i = 0; i < 100; i++) await writer.send(new Uint8Array(1000));
    await writer.send(new Uint8Array(0));
    expect(await reader.recv({ timeoutMs: 10_000 })).toEqual({
      type: "report",
      frames: 100,
      bytes: 100_000,
    });
    await writer.send(new Uint8Array(7));
    await writer.send(new Uint8Array(0));
    expect(await reader.recv({ timeoutMs: 10_000 })).toEqual({
      type: "report",
      frames: 1,
      bytes: 7,
    });
    await writer.close();
    expect((await child.exited).code).toBe(0);
  });

  it("with --wait-for-signal, holds the writer back until SIGUSR2, then takes everything", async () => {
    const child = spawnEntry(programPath("counting-sink"), { args: ["--wait-for-signal"] });
    const writer = framedWriter(child.stdin, bytesCodec);
    const reader = framedReader(child.stdout, jsonCodec<SinkMessage>());
    expect(await reader.recv({ timeoutMs: 10_000 })).toEqual({ type: "waiting", pid: child.pid });
    const chunk = new Uint8Array(4096);
    let accepted = 0;
    let blocked: Promise<void> | undefined;
    while (blocked === undefined && accepted < 10_000) {
      const send = writer.send(chunk);
      if ((await stateAfter(send, 200)) === "pending") blocked = send;
      else accepted++;
    }
    if (blocked === undefined) throw new Error("10000 sends of 4 KiB never blocked");
    expect(accepted * 4096).toBeGreaterThanOrEqual(4096); // the pipe held something first
    expect(await stateAfter(blocked, 300)).toBe("pending");
    child.child.kill("SIGUSR2");
    await blocked;
    await writer.send(new Uint8Array(0));
    expect(await reader.recv({ timeoutMs: 10_000 })).toEqual({
      type: "report",
      frames: accepted + 1,
      bytes: (accepted + 1) * 4096,
    });
  });
});

describe("fifo-writer and fifo-reader", () => {
  it("pass messages in order between two processes that share only the FIFO's path", async () => {
    const fifo = createFifo("chat");
    const reader = spawnEntry(programPath("fifo-reader"), { args: [fifo.path] });
    const writer = spawnEntry(programPath("fifo-writer"), { args: [fifo.path, "3"] });
    const report = framedReader(reader.stdout, jsonCodec<{ pid: number; messages: string[] }>());
    const got = await report.recv({ timeoutMs: 15_000 });
    expect(got.pid).toBe(reader.pid);
    expect(got.messages).toEqual([1, 2, 3].map((i) => `message ${i} of 3 from pid ${writer.pid}`));
    expect((await writer.exited).code).toBe(0);
    expect((await reader.exited).code).toBe(0);
    await fifo.remove();
  });
});

describe("counter-process", () => {
  it("keeps its counter in its own memory: two copies do not see each other's changes", async () => {
    const a = childChannel(
      spawnEntry(programPath("counter-process")),
      jsonCodec<CounterCommand | CounterValue>(),
    );
    const b = childChannel(
      spawnEntry(programPath("counter-process")),
      jsonCodec<CounterCommand | CounterValue>(),
    );
    for (let i = 0; i < 3; i++) await a.send({ type: "increment" });
    await b.send({ type: "get" });
    const fromA = [];
    for (let i = 0; i < 3; i++) fromA.push(await a.recv({ timeoutMs: 10_000 }));
    expect(fromA.map((v) => (v as CounterValue).counter)).toEqual([1, 2, 3]);
    expect(await b.recv({ timeoutMs: 10_000 })).toMatchObject({ type: "value", counter: 0 });
  });
});

describe("stdin-closer", () => {
  it("makes the parent's writes fail with PeerFailed (EPIPE) once it closed its end", async () => {
    const child = spawnEntry(programPath("stdin-closer"));
    const notice = framedReader(child.stdout, jsonCodec<{ type: string; pid: number }>());
    expect(await notice.recv({ timeoutMs: 10_000 })).toEqual({
      type: "stdin-closed",
      pid: child.pid,
    });
    const writer = framedWriter(child.stdin, utf8Codec);
    let failure: unknown;
    for (let i = 0; i < 50 && failure === undefined; i++) {
      try {
        await writer.send(`hello ${i}`);
        await new Promise((r) => setTimeout(r, 10));
      } catch (err) {
        failure = err;
      }
    }
    expect(isChannelError(failure, "PeerFailed")).toBe(true);
    expect(String(failure)).toMatch(/EPIPE/);
    expect(child.child.exitCode).toBeNull(); // the process itself is still alive
  });
});

describe("mutating-worker", () => {
  it("changes only its copy of a posted object, but sees and changes a SharedArrayBuffer", async () => {
    const worker = startWorker(programPath("mutating-worker"));
    const box = { count: 1, items: ["from main"] };
    const shared = new Int32Array(new SharedArrayBuffer(4));
    const reply = new Promise<{ box: typeof box }>((resolve) =>
      worker.worker.once("message", resolve),
    );
    worker.worker.postMessage({ type: "mutate", box, shared });
    const { box: theirs } = await reply;
    expect(theirs).toEqual({ count: 2, items: ["from main", "added by the worker"] });
    expect(box).toEqual({ count: 1, items: ["from main"] });
    expect(Atomics.load(shared, 0)).toBe(1);
    expect(await worker.stop()).toBe(0);
  });
});
