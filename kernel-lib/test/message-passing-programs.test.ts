/**
 * The worker programs chapter 01 (message passing) starts, run as real worker threads talking
 * over real MessagePorts. afterEach closes everything and checks nothing was left open.
 */
import {
  closeAll,
  createPortPair,
  isChannelError,
  liveResources,
  portChannel,
  programPath,
  startWorker,
  workerChannel,
} from "../src";
import type { BlockingReport, BlockRequest } from "../src/programs/blocking-receiver";
import type { CountingReport, CountingRequest } from "../src/programs/counting-worker";
import type { NumberedMessage } from "../src/programs/numbered-sender";
import type { SequenceReport } from "../src/programs/sequence-checker";
import type { ConsumerAck } from "../src/programs/slow-consumer";
import { rejectionOf } from "./support/timing";

jest.setTimeout(30_000);

afterEach(async () => {
  await closeAll();
  expect(liveResources()).toEqual([]);
});

describe("counting-worker", () => {
  it("counts copied and transferred byte messages and resets after each report", async () => {
    const w = startWorker(programPath("counting-worker"));
    const ch = workerChannel<CountingRequest | CountingReport>(w);
    for (let i = 0; i < 10; i++) await ch.send(new Uint8Array(100));
    const moved = new Uint8Array(5000);
    await ch.send(moved, { transfer: [moved.buffer] });
    await ch.send({ type: "report" });
    expect(await ch.recv({ timeoutMs: 10_000 })).toEqual({
      type: "report",
      messages: 11,
      bytes: 6000,
    });
    await ch.send({ type: "report" });
    expect(await ch.recv({ timeoutMs: 10_000 })).toEqual({ type: "report", messages: 0, bytes: 0 });
    await ch.close();
    expect(await w.stop()).toBe(0);
  });
});

describe("numbered-sender", () => {
  it("sends 0..count-1 in order to its parent, then ends the stream", async () => {
    const w = startWorker(programPath("numbered-sender"), {
      workerData: { name: "A", count: 1000, pauseMs: 0 },
    });
    const got: number[] = [];
    for await (const m of workerChannel<NumberedMessage>(w)) {
      expect(m.from).toBe("A");
      got.push(m.seq);
    }
    expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(await w.exited).toBe(0);
  });
});

describe("sequence-checker", () => {
  it("checks a numbered stream sent by another worker directly over a port pair", async () => {
    const [a, b] = createPortPair();
    const sender = startWorker(programPath("numbered-sender"), {
      workerData: { name: "A", count: 500, port: a },
      transferList: [a],
    });
    const checker = startWorker(programPath("sequence-checker"), {
      workerData: { port: b },
      transferList: [b],
    });
    const report = workerChannel<SequenceReport>(checker);
    const r = await report.recv({ timeoutMs: 10_000 });
    expect(r).toMatchObject({
      type: "checked",
      received: 500,
      perSender: { A: 500 },
      problems: [],
    });
    expect(await sender.exited).toBe(0);
    expect(await checker.exited).toBe(0);
    await report.close();
  });

  it("names the first numbers that arrive out of order", async () => {
    const [a, b] = createPortPair();
    const checker = startWorker(programPath("sequence-checker"), {
      workerData: { port: b },
      transferList: [b],
    });
    const report = workerChannel<SequenceReport>(checker);
    const peer = portChannel<NumberedMessage>(a);
    for (const seq of [0, 2, 1]) await peer.send({ from: "X", seq });
    await peer.close();
    const r = await report.recv({ timeoutMs: 10_000 });
    expect(r.received).toBe(3);
    expect(r.problems[0]).toBe("from X: expected 1, got 2");
    await report.close();
  });
});

describe("blocking-receiver", () => {
  it("sleeps in Atomics.wait until rung, with its own timer frozen, then takes the message", async () => {
    const [mine, theirs] = createPortPair();
    const doorbell = new Int32Array(new SharedArrayBuffer(4));
    const w = startWorker(programPath("blocking-receiver"), {
      workerData: { port: theirs, doorbell },
      transferList: [theirs],
    });
    const ch = workerChannel<BlockRequest | BlockingReport>(w);
    const toWorker = portChannel<string>(mine);
    await ch.send({ type: "block", timeoutMs: 10_000 });
    expect(await ch.recv({ timeoutMs: 10_000 })).toEqual({ type: "blocking" });
    await new Promise((r) => setTimeout(r, 200));
    await toWorker.send("wake up");
    Atomics.store(doorbell, 0, 1);
    Atomics.notify(doorbell, 0);
    const woke = await ch.recv({ timeoutMs: 10_000 });
    if (woke.type !== "woke") throw new Error(`expected "woke", got ${JSON.stringify(woke)}`);
    expect(woke.result).toBe("ok");
    expect(woke.message).toBe("wake up");
    expect(woke.blockedMs).toBeGreaterThanOrEqual(150);
    expect(woke.ticksWhileAwake).toBeGreaterThan(0);
    expect(woke.ticksWhileBlocked).toBe(0);
    expect(Atomics.load(doorbell, 0)).toBe(0);
    await toWorker.close();
    await ch.close();
    expect(await w.stop()).toBe(0);
  });

  it("times out when nobody rings, with no message", async () => {
    const [mine, theirs] = createPortPair();
    const w = startWorker(programPath("blocking-receiver"), {
      workerData: { port: theirs, doorbell: new Int32Array(new SharedArrayBuffer(4)) },
      transferList: [theirs],
    });
    const ch = workerChannel<BlockRequest | BlockingReport>(w);
    await ch.send({ type: "block", timeoutMs: 100 });
    await ch.recv({ timeoutMs: 10_000 });
    const woke = await ch.recv({ timeoutMs: 10_000 });
    expect(woke).toMatchObject({ type: "woke", result: "timed-out", message: undefined });
    mine.close();
    await ch.close();
    await w.stop();
  });
});

describe("slow-consumer", () => {
  it("publishes its progress in shared memory and acknowledges every k messages", async () => {
    const progress = new Int32Array(new SharedArrayBuffer(4));
    const w = startWorker(programPath("slow-consumer"), {
      workerData: { progress, workMs: 1, ackEvery: 10 },
    });
    const ch = workerChannel<unknown>(w);
    for (let i = 0; i < 30; i++) await ch.send(i);
    // Sending took no time at all; the consumer needs about 1 ms per message.
    expect(Atomics.load(progress, 0)).toBeLessThan(30);
    const acks: number[] = [];
    for (let i = 0; i < 3; i++)
      acks.push(((await ch.recv({ timeoutMs: 10_000 })) as ConsumerAck).processed);
    expect(acks).toEqual([10, 20, 30]);
    expect(Atomics.load(progress, 0)).toBe(30);
    await ch.close();
    await w.stop(500);
  });
});

describe("json-parse-worker", () => {
  it("answers parsed JSON", async () => {
    const w = startWorker(programPath("json-parse-worker"), { workerData: { onError: "fail" } });
    const ch = workerChannel<unknown>(w);
    await ch.send('{"a":[1,2]}');
    expect(await ch.recv({ timeoutMs: 10_000 })).toEqual({ a: [1, 2] });
    await ch.close();
    expect(await w.stop()).toBe(0);
  });

  it.each([
    ["throw", 1, "threw"],
    ["fail", 0, "peer failed"],
  ] as const)(
    "with onError %s, fails the receiver with PeerFailed and the worker's stack, exit code %d",
    async (onError, exitCode, wording) => {
      const w = startWorker(programPath("json-parse-worker"), { workerData: { onError } });
      const ch = workerChannel<unknown>(w);
      await ch.send("{not json");
      const err = await rejectionOf(ch.recv({ timeoutMs: 10_000 }));
      expect(isChannelError(err, "PeerFailed")).toBe(true);
      expect(String(err)).toContain(wording);
      const cause = (err as Error).cause as Error;
      expect(cause.name).toBe("SyntaxError");
      expect(cause.stack).toContain("parseRequest");
      expect(cause.stack).toContain("json-parse-worker.ts");
      expect(await w.exited).toBe(exitCode);
      await ch.close();
    },
  );
});
