/**
 * The programs chapter 03 (message queues) starts, run for real: child processes on POSIX
 * message queues and ZeroMQ sockets, a worker thread on a BoundedQueue. afterEach closes
 * everything, unlinks every queue name and checks that nothing was left open and that no
 * program wrote to stderr (a notebook fails on any stderr).
 */
import { createHash } from "node:crypto";
import {
  BoundedQueue,
  bytesCodec,
  childPipes,
  closeAll,
  isChannelError,
  jsonCodec,
  liveResources,
  messageQueueExists,
  mqueueSupport,
  openMessageQueue,
  programPath,
  spawnEntry,
  startWorker,
  unlinkMessageQueue,
  zmqEndpoint,
  zmqPublisher,
  zmqPull,
  zmqPush,
  type ChildHandle,
  type PosixMessageQueue,
} from "../src";
import type { MqProducerReport } from "../src/programs/mq-producer";
import type { SharedProducerData, SharedProducerReport } from "../src/programs/mq-shared-producer";
import type { ZmqReceiverCommand, ZmqReceiverReport } from "../src/programs/zmq-receiver";
import type { FarmResult, FarmTask } from "../src/programs/zmq-task-worker";
import { settlesWithin } from "./support/timing";

jest.setTimeout(30_000);

const programs = ["mq-producer", "mq-shared-producer", "zmq-receiver", "zmq-task-worker"];
let stderrLines: string[] = [];
let stderrSpy: jest.SpyInstance | undefined;
const queueNames: string[] = [];
let counter = 0;

beforeEach(() => {
  stderrLines = [];
  const write = process.stderr.write.bind(process.stderr);
  // Children's stderr is forwarded with a "[program.ts pid] " prefix: record those lines.
  stderrSpy = jest.spyOn(process.stderr, "write").mockImplementation(((chunk: unknown) => {
    const text = String(chunk);
    if (programs.some((p) => text.startsWith(`[${p}.ts `))) stderrLines.push(text);
    return write(chunk as string);
  }) as typeof process.stderr.write);
});

afterEach(async () => {
  await closeAll();
  expect(liveResources()).toEqual([]);
  for (const name of queueNames.splice(0)) {
    unlinkMessageQueue(name);
    expect({ name, exists: messageQueueExists(name) }).toEqual({ name, exists: false });
  }
  stderrSpy?.mockRestore();
  expect(stderrLines).toEqual([]);
});

const utf8 = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** A fresh POSIX queue (unique name, unlinked in afterEach). */
function createQueue(capacity: number, maxMessageBytes = 64): PosixMessageQueue {
  const name = `/ipc-course-test-mq-programs-${process.pid}-${counter++}`;
  queueNames.push(name);
  return openMessageQueue(name, { create: true, exclusive: true, capacity, maxMessageBytes });
}

function startProducer(queue: PosixMessageQueue, messages: string[]) {
  const child = spawnEntry(programPath("mq-producer"), { args: [queue.name, ...messages] });
  return { child, ...childPipes(child, jsonCodec<MqProducerReport>()) };
}

const describeMq = mqueueSupport().available ? describe : describe.skip;

describeMq("mq-producer (POSIX message queues)", () => {
  it("sends its messages by name from another process; they come out by priority, FIFO within one", async () => {
    const queue = createQueue(8);
    const messages = ["0:a", "5:b", "0:c", "9:d", "5:e", "0:f"];
    const producer = startProducer(queue, messages);
    expect(await producer.reader.recv({ timeoutMs: 10_000 })).toEqual({
      type: "opened",
      pid: producer.child.pid,
      capacity: 8,
      maxMessageBytes: 64,
    });
    const reports: MqProducerReport[] = [];
    for await (const r of producer.reader) reports.push(r);
    expect(reports.map((r) => r.type)).toEqual([...messages.map(() => "sent"), "done"]);
    expect((await producer.child.exited).code).toBe(0);
    // The producer is gone; its messages are still in the kernel.
    expect(queue.attributes().count).toBe(6);
    const got: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { message, priority } = queue.tryRecv();
      got.push(`${priority}:${utf8(message)}`);
    }
    expect(got).toEqual(["9:d", "5:b", "5:e", "0:a", "0:c", "0:f"]);
  });

  it("waits while the queue is full and goes on as the receiver takes messages", async () => {
    const queue = createQueue(2);
    const producer = startProducer(queue, ["1:m0", "1:m1", "1:m2", "1:m3"]);
    const next = () => producer.reader.recv({ timeoutMs: 10_000 });
    expect((await next()).type).toBe("opened");
    expect(await next()).toMatchObject({ type: "sent", index: 0 });
    expect(await next()).toMatchObject({ type: "sent", index: 1 });
    const third = next();
    expect(await settlesWithin(third, 300)).toBe("pending");
    expect(queue.attributes().count).toBe(2);
    expect(utf8((await queue.recv({ timeoutMs: 5000 })).message)).toBe("m0");
    expect(await third).toMatchObject({ type: "sent", index: 2 });
    const rest: string[] = [];
    for (let i = 0; i < 3; i++) rest.push(utf8((await queue.recv({ timeoutMs: 5000 })).message));
    expect(rest).toEqual(["m1", "m2", "m3"]);
    expect(await next()).toMatchObject({ type: "sent", index: 3 });
    expect(await next()).toEqual({ type: "done" });
    expect((await producer.child.exited).code).toBe(0);
  });

  it("on end of stdin while its send waits, closes its descriptor and exits 0", async () => {
    const queue = createQueue(1);
    const producer = startProducer(queue, ["0:kept", "0:never sent"]);
    expect((await producer.reader.recv({ timeoutMs: 10_000 })).type).toBe("opened");
    expect(await producer.reader.recv({ timeoutMs: 10_000 })).toMatchObject({ index: 0 });
    expect(await producer.child.stop(5000)).toEqual({ code: 0, signal: null });
    expect(queue.attributes().count).toBe(1);
    expect(utf8(queue.tryRecv().message)).toBe("kept");
  });
});

describe("mq-shared-producer (BoundedQueue)", () => {
  function start(buffer: SharedArrayBuffer, count: number) {
    const progress = new Int32Array(new SharedArrayBuffer(4));
    const data: SharedProducerData = {
      buffer,
      progress,
      messages: Array.from({ length: count }, (_, i) => ({ priority: i % 3, text: `m${i}` })),
      timeoutMs: 10_000,
    };
    const worker = startWorker(programPath("mq-shared-producer"), { workerData: data });
    const report = new Promise<SharedProducerReport>((resolve) =>
      worker.worker.once("message", resolve),
    );
    return { worker, progress, report };
  }

  it("blocks in sendSync while the queue is full and finishes as the main thread receives", async () => {
    const buffer = BoundedQueue.allocate({ capacity: 3, maxMessageBytes: 16 });
    const queue = new BoundedQueue(buffer);
    const { worker, progress, report } = start(buffer, 6);
    const deadline = Date.now() + 10_000;
    while (Atomics.load(progress, 0) < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 200));
    expect({ sent: Atomics.load(progress, 0), queued: queue.attributes().count }).toEqual({
      sent: 3,
      queued: 3,
    });
    const got: string[] = [];
    for (let i = 0; i < 6; i++) got.push(utf8((await queue.recv({ timeoutMs: 5000 })).message));
    expect([...got].sort()).toEqual(["m0", "m1", "m2", "m3", "m4", "m5"]);
    expect(await report).toEqual({ type: "done", sent: 6 });
    expect(await worker.exited).toBe(0);
  });

  it("reports ChannelClosed when the queue is closed while it is blocked", async () => {
    const buffer = BoundedQueue.allocate({ capacity: 1, maxMessageBytes: 16 });
    const { worker, progress, report } = start(buffer, 3);
    while (Atomics.load(progress, 0) < 1) await new Promise((r) => setTimeout(r, 10));
    await new BoundedQueue(buffer).close();
    expect(await report).toMatchObject({ type: "failed", sent: 1, code: "ChannelClosed" });
    expect(await worker.exited).toBe(0);
  });
});

/** The digest zmq-task-worker computes for a task (SHA-256 chained `rounds` times). */
function expectedDigest(id: number, rounds: number): string {
  let digest: Buffer = Buffer.from(String(id));
  for (let i = 0; i < rounds; i++) digest = createHash("sha256").update(digest).digest();
  return digest.toString("hex");
}

describe("zmq-task-worker", () => {
  it("says ready, computes each task's hash chain, shares tasks with its peers, exits 0 on EOF", async () => {
    const ventilator = await zmqPush(jsonCodec<FarmTask>(), { bind: zmqEndpoint("ipc", "tasks") });
    const sink = await zmqPull(jsonCodec<FarmResult>(), { bind: zmqEndpoint("ipc", "results") });
    const args = [ventilator.endpoint, sink.endpoint];
    const workers: ChildHandle[] = [];
    for (let i = 0; i < 2; i++) {
      workers.push(spawnEntry(programPath("zmq-task-worker"), { args }));
      expect(await sink.recv({ timeoutMs: 15_000 })).toEqual({
        type: "ready",
        pid: workers[i]!.pid,
      });
    }
    await new Promise((r) => setTimeout(r, 100)); // the last worker's tasks socket joins
    for (let id = 0; id < 20; id++) await ventilator.send({ id, rounds: 50 });
    const perWorker = new Map<number, number>();
    for (let i = 0; i < 20; i++) {
      const result = await sink.recv({ timeoutMs: 10_000 });
      if (result.type !== "result") throw new Error(`expected a result, got ${result.type}`);
      expect(result.digest).toBe(expectedDigest(result.id, 50));
      expect(result.workMs).toBeGreaterThanOrEqual(0);
      perWorker.set(result.pid, (perWorker.get(result.pid) ?? 0) + 1);
    }
    // PUSH deals round-robin: ten each.
    expect([...perWorker.values()]).toEqual([10, 10]);
    for (const w of workers) expect(await w.stop(5000)).toEqual({ code: 0, signal: null });
    await ventilator.close();
    await sink.close();
  });
});

describe("zmq-receiver", () => {
  const stamped = (seq: number, size = 1024): Uint8Array => {
    const out = new Uint8Array(size);
    new DataView(out.buffer).setUint32(0, seq);
    return out;
  };
  function startReceiver(args: string[]) {
    const child = spawnEntry(programPath("zmq-receiver"), { args });
    return { child, ...childPipes(child, jsonCodec<ZmqReceiverReport | ZmqReceiverCommand>()) };
  }

  it("pull, paused: reads nothing until told, so PUSH waits; then receives every message", async () => {
    const push = await zmqPush(bytesCodec, { bind: zmqEndpoint("ipc"), sendHighWaterMark: 5 });
    const paused = startReceiver([
      "--pattern",
      "pull",
      "--connect",
      push.endpoint,
      "--receive-hwm",
      "5",
      "--paused",
    ]);
    expect(await paused.reader.recv({ timeoutMs: 15_000 })).toEqual({
      type: "connected",
      pid: paused.child.pid,
    });
    let accepted = 0;
    for (;;) {
      try {
        await push.send(stamped(accepted, 16_384), { timeoutMs: accepted === 0 ? 10_000 : 300 });
        accepted++;
      } catch (err) {
        if (!isChannelError(err, "Timeout")) throw err;
        break;
      }
      if (accepted > 1000) throw new Error("PUSH never waited");
    }
    expect(accepted).toBeGreaterThanOrEqual(10); // both high-water marks
    await paused.writer.send({ type: "drain", quietMs: 200 });
    expect(await paused.reader.recv({ timeoutMs: 10_000 })).toEqual({
      type: "report",
      received: accepted,
      first: 0,
      last: accepted - 1,
      missing: 0,
    });
    await paused.writer.close();
    expect(await paused.child.exited).toEqual({ code: 0, signal: null });
    await push.close();
  });

  it("sub, paused: a publisher never waits; the subscriber counts what it lost as gaps", async () => {
    const pub = await zmqPublisher(bytesCodec, { bind: zmqEndpoint("ipc"), sendHighWaterMark: 5 });
    const rx = startReceiver([
      "--pattern",
      "sub",
      "--connect",
      pub.endpoint,
      "--receive-hwm",
      "5",
      "--paused",
    ]);
    expect((await rx.reader.recv({ timeoutMs: 15_000 })).type).toBe("connected");
    await pub.waitForSubscribers("", 1, { timeoutMs: 10_000 });
    const published = 300;
    for (let seq = 0; seq < published; seq++) await pub.send("t", stamped(seq, 16_384));
    await rx.writer.send({ type: "drain", quietMs: 200 });
    const report = await rx.reader.recv({ timeoutMs: 10_000 });
    if (report.type !== "report") throw new Error(`expected a report, got ${report.type}`);
    expect(report.received).toBeGreaterThan(0);
    expect(report.received).toBeLessThan(published);
    expect(report.first).toBe(0);
    expect(report.received + report.missing).toBe(report.last - report.first + 1);
    await rx.writer.close();
    expect(await rx.child.exited).toEqual({ code: 0, signal: null });
    await pub.close();
  });

  it("sub, reading: receives from the moment its subscription reached the publisher", async () => {
    const pub = await zmqPublisher(bytesCodec, { bind: zmqEndpoint("ipc") });
    const rx = startReceiver(["--pattern", "sub", "--connect", pub.endpoint]);
    await pub.waitForSubscribers("", 1, { timeoutMs: 15_000 });
    for (let seq = 0; seq < 50; seq++) await pub.send("t", stamped(seq));
    await rx.writer.send({ type: "drain", quietMs: 200 });
    expect(await rx.reader.recv({ timeoutMs: 10_000 })).toEqual({
      type: "connected",
      pid: rx.child.pid,
    });
    expect(await rx.reader.recv({ timeoutMs: 10_000 })).toEqual({
      type: "report",
      received: 50,
      first: 0,
      last: 49,
      missing: 0,
    });
    await rx.writer.close();
    expect(await rx.child.exited).toEqual({ code: 0, signal: null });
    await pub.close();
  });
});
