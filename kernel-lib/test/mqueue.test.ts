/**
 * POSIX message queues through the native addon: real kernel queues, a child process and a
 * worker thread on the other side. Every test uses fresh queue names and afterEach proves
 * that no queue, descriptor or worker is left.
 */
import * as fs from "node:fs";
import {
  closeAll,
  isChannelError,
  listMessageQueues,
  liveResources,
  messageQueueExists,
  mqueueLimits,
  mqueueSupport,
  openMessageQueue,
  spawnEntry,
  startWorker,
  unlinkMessageQueue,
  type ChannelErrorCode,
  type OpenMessageQueueOptions,
  type PosixMessageQueue,
  type WorkerHandle,
} from "../src";
import { fixturePath } from "./support/fixtures";
import type { ReceiverData, ReceiverReport } from "./fixtures/mq-receiver";
import { rejectionOf, settlesWithin } from "./support/timing";

jest.setTimeout(30_000);
const fixture = fixturePath;
const support = mqueueSupport();

/** Every name a test in this run uses starts with this. */
const prefix = `/ipc-course-test-${process.pid}-`;
let counter = 0;
let names: string[] = [];
let workers: WorkerHandle[] = [];

/** A queue name no other test (or run) uses; afterEach unlinks it. */
function freshName(): string {
  const name = `${prefix}${counter++}`;
  names.push(name);
  return name;
}

function createQueue(options: OpenMessageQueueOptions = {}): PosixMessageQueue {
  return openMessageQueue(freshName(), { create: true, exclusive: true, ...options });
}

function expectCode(err: unknown, code: ChannelErrorCode): void {
  if (!isChannelError(err, code)) {
    throw new Error(`expected a ChannelError with code ${code}, got: ${String(err)}`);
  }
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to throw, but it returned");
}

/** How many descriptors this process has open on the queue `name`. */
function descriptorsOf(name: string): number {
  let count = 0;
  for (const fd of fs.readdirSync("/proc/self/fd")) {
    try {
      const link = fs.readlinkSync(`/proc/self/fd/${fd}`);
      if (link === name || link === `${name} (deleted)`) count++;
    } catch {
      // The descriptor that listed the directory is gone already.
    }
  }
  return count;
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

it("reports POSIX message queues as available on Linux, or says why not", () => {
  expect(typeof support.reason).toBe("string");
  expect(support.reason.length).toBeGreaterThan(10);
  // On Linux (CI included) the addon must build and work: a skipped section would hide that.
  if (process.platform === "linux") expect(support).toMatchObject({ available: true });
});

const describeWithMqueue = support.available ? describe : describe.skip;

describeWithMqueue("POSIX message queues", () => {
  afterEach(async () => {
    await Promise.all(workers.map((w) => w.stop(500)));
    workers = [];
    const leaked = liveResources();
    await closeAll();
    for (const name of names) unlinkMessageQueue(name);
    const left = names.filter((name) => messageQueueExists(name));
    names = [];
    expect({ leaked, left }).toEqual({ leaked: [], left: [] });
    // Where the mqueue file system is mounted, `ls /dev/mqueue` must agree.
    expect(listMessageQueues()?.filter((n) => n.startsWith(prefix)) ?? []).toEqual([]);
  });

  it("creates a queue with the requested capacity and message size, and counts what it holds", async () => {
    const q = createQueue({ capacity: 4, maxMessageBytes: 100 });
    expect(q.attributes()).toEqual({ capacity: 4, maxMessageBytes: 100, count: 0 });
    await q.send(bytes(1));
    q.trySend(bytes(2));
    expect(q.attributes().count).toBe(2);
    expect(liveResources()).toEqual([expect.stringContaining(`POSIX message queue ${q.name}`)]);
    await q.close();
  });

  it("receives the highest priority first and FIFO within a priority", async () => {
    const q = createQueue({ capacity: 8, maxMessageBytes: 16 });
    const sent = [
      [0, 1],
      [1, 5],
      [2, 1],
      [3, 0],
      [4, 5],
      [5, 31000],
      [6, 0],
      [7, 1],
    ];
    for (const [seq, priority] of sent) await q.send(bytes(seq!), { priority: priority! });
    const got: number[][] = [];
    for (let i = 0; i < sent.length; i++) {
      const { message, priority } = await q.recv({ timeoutMs: 1000 });
      got.push([message[0]!, priority]);
    }
    expect(got).toEqual([
      [5, 31000],
      [1, 5],
      [4, 5],
      [0, 1],
      [2, 1],
      [7, 1],
      [3, 0],
      [6, 0],
    ]);
    await q.close();
  });

  it("fails trySend on a full queue and tryRecv on an empty one with WouldBlock", async () => {
    const q = createQueue({ capacity: 2, maxMessageBytes: 8 });
    expectCode(
      thrownBy(() => q.tryRecv()),
      "WouldBlock",
    );
    q.trySend(bytes(1));
    q.trySend(bytes(2), 7);
    expectCode(
      thrownBy(() => q.trySend(bytes(3))),
      "WouldBlock",
    );
    expect(q.attributes().count).toBe(2);
    expect(q.tryRecv()).toEqual({ message: bytes(2), priority: 7 });
    await q.close();
  });

  it("makes send wait while the queue is full and completes it when a message is taken", async () => {
    const q = createQueue({ capacity: 2, maxMessageBytes: 8 });
    await q.send(bytes(1));
    await q.send(bytes(2));
    const third = q.send(bytes(3));
    const fourth = q.send(bytes(4));
    expect(await settlesWithin(third, 200)).toBe("pending");
    expect(q.attributes().count).toBe(2);
    // A second descriptor, as another process would have, takes one message.
    const reader = openMessageQueue(q.name, { access: "receive" });
    expect((await reader.recv()).message).toEqual(bytes(1));
    await third;
    expect(await settlesWithin(fourth, 100)).toBe("pending");
    expect((await reader.recv()).message).toEqual(bytes(2));
    await fourth;
    expect([(await reader.recv()).message[0], (await reader.recv()).message[0]]).toEqual([3, 4]);
    await reader.close();
    await q.close();
  });

  it("times out a send on a full queue without sending it", async () => {
    const q = createQueue({ capacity: 1, maxMessageBytes: 8 });
    await q.send(bytes(1));
    const t0 = performance.now();
    expectCode(await rejectionOf(q.send(bytes(2), { timeoutMs: 100 })), "Timeout");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
    expect(q.attributes().count).toBe(1);
    expect(q.tryRecv().message).toEqual(bytes(1));
    expectCode(
      thrownBy(() => q.tryRecv()),
      "WouldBlock",
    );
    await q.close();
  });

  it("times out a receive and keeps the message that comes later for the next receive", async () => {
    const q = createQueue({ capacity: 2, maxMessageBytes: 8 });
    expectCode(await rejectionOf(q.recv({ timeoutMs: 50 })), "Timeout");
    await q.send(bytes(9));
    expect((await q.recv({ timeoutMs: 1000 })).message).toEqual(bytes(9));
    await q.close();
  });

  it("rejects a waiting receive whose signal is aborted", async () => {
    const q = createQueue({ capacity: 2, maxMessageBytes: 8 });
    const controller = new AbortController();
    const pending = q.recv({ signal: controller.signal });
    controller.abort();
    expectCode(await rejectionOf(pending), "Aborted");
    await q.close();
  });

  it("refuses a message over maxMessageBytes and a priority out of range", async () => {
    const q = createQueue({ capacity: 2, maxMessageBytes: 8 });
    expectCode(await rejectionOf(q.send(new Uint8Array(9))), "MessageTooLarge");
    expectCode(await rejectionOf(q.send(bytes(1), { priority: 32768 })), "InvalidArgument");
    await q.send(new Uint8Array(8), { priority: 32767 });
    expect(await q.recv()).toEqual({ message: new Uint8Array(8), priority: 32767 });
    await q.close();
  });

  it("names the system limits when a queue is too large to create", () => {
    const limits = mqueueLimits();
    const tooMany = thrownBy(() => createQueue({ capacity: 100_000, maxMessageBytes: 8 }));
    expectCode(tooMany, "InvalidArgument");
    expect(String(tooMany)).toContain(`/proc/sys/fs/mqueue/msg_max = ${limits.maxCapacity}`);
    const tooBig = thrownBy(() => createQueue({ capacity: 1, maxMessageBytes: 64 << 20 }));
    expectCode(tooBig, "InvalidArgument");
    expect(String(tooBig)).toContain(`msgsize_max = ${limits.maxMessageBytes}`);
    // 1 GiB of queue: over msg_max for users, over RLIMIT_MSGQUEUE even for root.
    const tooMuch = thrownBy(() => createQueue({ capacity: 1000, maxMessageBytes: 1 << 20 }));
    expectCode(tooMuch, "InvalidArgument");
    expect(String(tooMuch)).toMatch(/msg_max|RLIMIT_MSGQUEUE/);
  });

  it("names a missing queue, and refuses an exclusive create of an existing one", async () => {
    const missing = thrownBy(() => openMessageQueue(freshName()));
    expectCode(missing, "InvalidArgument");
    expect(String(missing)).toContain("ENOENT");
    const q = createQueue();
    const again = thrownBy(() => openMessageQueue(q.name, { create: true, exclusive: true }));
    expectCode(again, "InvalidArgument");
    expect((again as Error).cause).toMatchObject({ code: "EEXIST", syscall: "mq_open" });
    await q.close();
  });

  it("refuses names that are not '/' and 1 to 255 bytes without '/'", () => {
    for (const bad of ["jobs", "/", "/a/b", "/.", "/..", `/${"x".repeat(256)}`, "/nul\0"]) {
      expectCode(
        thrownBy(() => openMessageQueue(bad, { create: true })),
        "InvalidArgument",
      );
    }
  });

  it("uses the system defaults when creating without sizes", async () => {
    const limits = mqueueLimits();
    const q = createQueue();
    expect(q.attributes()).toMatchObject({
      capacity: limits.defaultCapacity,
      maxMessageBytes: limits.defaultMessageBytes,
    });
    await q.close();
  });

  it("refuses to receive on a send-only descriptor and to send on a receive-only one", async () => {
    const q = createQueue({ access: "send" });
    const r = openMessageQueue(q.name, { access: "receive" });
    expectCode(await rejectionOf(q.recv()), "InvalidArgument");
    expectCode(await rejectionOf(r.send(bytes(1))), "InvalidArgument");
    await q.send(bytes(1));
    expect((await r.recv()).message).toEqual(bytes(1));
    await Promise.all([q.close(), r.close()]);
  });

  it("fails pending calls with ChannelClosed on close, ends iteration, and closes twice harmlessly", async () => {
    const sender = createQueue({ capacity: 1, maxMessageBytes: 8, access: "send" });
    const receiver = openMessageQueue(sender.name, { access: "receive" });
    await sender.send(bytes(1));
    const blockedSend = sender.send(bytes(2));
    expect(await settlesWithin(blockedSend, 100)).toBe("pending");
    await sender.close();
    await sender.close();
    expect(sender.closed).toBe(true);
    expectCode(await rejectionOf(blockedSend), "ChannelClosed");
    expectCode(await rejectionOf(sender.send(bytes(3))), "ChannelClosed");
    expectCode(
      thrownBy(() => sender.attributes()),
      "ChannelClosed",
    );
    const iterating = (async () => {
      const got: number[] = [];
      for await (const { message } of receiver) got.push(message[0]!);
      return got;
    })();
    // POSIX queues have no end-of-stream: the sender's close told the receiver nothing.
    expect(await settlesWithin(iterating, 100)).toBe("pending");
    await receiver.close();
    expect(await iterating).toEqual([1]);
    expectCode(await rejectionOf(receiver.recv()), "ChannelClosed");
  });

  it("keeps an unlinked queue working through the descriptors still open", async () => {
    const q = createQueue({ capacity: 2, maxMessageBytes: 8 });
    const r = openMessageQueue(q.name, { access: "receive" });
    expect(q.unlink()).toBe(true);
    expect(messageQueueExists(q.name)).toBe(false);
    expect(unlinkMessageQueue(q.name)).toBe(false);
    await q.send(bytes(42));
    expect((await r.recv()).message).toEqual(bytes(42));
    await Promise.all([q.close(), r.close()]);
  });

  it("keeps the queue and its messages in the kernel after every descriptor closed", async () => {
    const q = createQueue({ capacity: 2, maxMessageBytes: 8 });
    await q.send(bytes(7), { priority: 3 });
    await q.close();
    expect(descriptorsOf(q.name)).toBe(0);
    const again = openMessageQueue(q.name);
    expect(again.tryRecv()).toEqual({ message: bytes(7), priority: 3 });
    await again.close();
  });

  it("keeps the event loop running while a receive waits", async () => {
    const q = createQueue({ capacity: 2, maxMessageBytes: 8 });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const receiving = q.recv();
    await new Promise((r) => setTimeout(r, 200));
    clearInterval(ticker);
    expect(ticks).toBeGreaterThanOrEqual(5);
    await q.send(bytes(1));
    expect((await receiving).message).toEqual(bytes(1));
    await q.close();
  });

  it("carries messages from a child process, by priority, through a queue smaller than the stream", async () => {
    const q = createQueue({ capacity: 4, maxMessageBytes: 8, access: "receive" });
    const child = spawnEntry(fixture("mq-sender.ts"), { args: [q.name, "200", "0,3,1,3,2"] });
    const got: { seq: number; priority: number }[] = [];
    while (got.length < 200) {
      const { message, priority } = await q.recv({ timeoutMs: 10_000 });
      got.push({ seq: new DataView(message.buffer).getUint32(0), priority });
    }
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(new Set(got.map((m) => m.seq)).size).toBe(200);
    // FIFO within each priority, whatever the interleaving of priorities.
    for (const p of [0, 1, 2, 3]) {
      const seqs = got.filter((m) => m.priority === p).map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    await q.close();
  });

  it("serves a receiver in a worker thread, whose own event loop polls the queue", async () => {
    const q = createQueue({ capacity: 10, maxMessageBytes: 8, access: "send" });
    const sent = [2, 0, 9, 0, 2, 9, 1].map((priority, seq) => ({ seq, priority }));
    for (const { seq, priority } of sent) {
      const message = new Uint8Array(4);
      new DataView(message.buffer).setUint32(0, seq);
      await q.send(message, { priority });
    }
    const data: ReceiverData = { name: q.name, count: sent.length };
    const worker = startWorker(fixture("mq-receiver.ts"), { workerData: data });
    workers.push(worker);
    const report = await new Promise<ReceiverReport>((resolve) =>
      worker.worker.on("message", (r: ReceiverReport) => r.type === "finished" && resolve(r)),
    );
    expect(report).toEqual({
      type: "finished",
      end: "count",
      received: [...sent].sort((a, b) => b.priority - a.priority || a.seq - b.seq),
    });
    expect(await worker.exited).toBe(0);
    await q.close();
  });

  it("closes the descriptor of a worker terminated while it waits, without crashing", async () => {
    const q = createQueue({ capacity: 2, maxMessageBytes: 8 });
    const data: ReceiverData = { name: q.name, count: 1 };
    const worker = startWorker(fixture("mq-receiver.ts"), { workerData: data });
    workers.push(worker);
    await new Promise<void>((resolve) =>
      worker.worker.on("message", (r: ReceiverReport) => r.type === "opened" && resolve()),
    );
    await new Promise((r) => setTimeout(r, 100)); // its receive is now polling
    expect(descriptorsOf(q.name)).toBe(2);
    await worker.worker.terminate();
    expect(descriptorsOf(q.name)).toBe(1);
    // This thread's queue still works: nothing the worker left behind broke the process.
    await q.send(bytes(1));
    expect((await q.recv()).message).toEqual(bytes(1));
    await q.close();
  });
});
