/**
 * BoundedQueue: the shared-memory priority queue, with real worker threads producing and
 * consuming (fixtures bq-producer.ts and bq-consumer.ts) and the main thread using only the
 * promise API, as the notebook kernel does.
 */
import {
  BoundedQueue,
  closeAll,
  isChannelError,
  liveResources,
  startWorker,
  type ChannelErrorCode,
  type WorkerHandle,
} from "../src";
import { fixturePath } from "./support/fixtures";
import type { ConsumerData, Job, ProducerData, WorkerReport } from "./fixtures/bq-messages";
import { decodeJob, encodeJob } from "./fixtures/bq-messages";
import { seededRandom } from "./support/random";
import { rejectionOf, settlesWithin } from "./support/timing";

jest.setTimeout(30_000);
const fixture = fixturePath;

let workers: WorkerHandle[] = [];

afterEach(async () => {
  // Stop any worker a failed test left blocked, then prove nothing else is left waiting.
  await Promise.all(workers.map((w) => w.stop(200)));
  workers = [];
  const leaked = liveResources();
  await closeAll();
  expect(leaked).toEqual([]);
});

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

/** A worker's reports, and a way to wait for the next one of a given type. */
function startReporting(entry: string, workerData: ProducerData | ConsumerData) {
  const handle = startWorker(fixture(entry), { workerData });
  workers.push(handle);
  const reports: WorkerReport[] = [];
  const taken = new Set<WorkerReport>();
  let changed = (): void => {};
  handle.worker.on("message", (r: WorkerReport) => {
    reports.push(r);
    changed();
  });
  async function next<T extends WorkerReport["type"]>(
    type: T,
    timeoutMs = 10_000,
  ): Promise<Extract<WorkerReport, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = reports.find((r) => r.type === type && !taken.has(r));
      if (found) {
        taken.add(found);
        return found as Extract<WorkerReport, { type: T }>;
      }
      if (handle.error) throw handle.error;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        const got = JSON.stringify(reports.map((r) => r.type));
        throw new Error(`no "${type}" report from ${entry} within ${timeoutMs} ms; got ${got}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(remaining, 100));
        changed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
  return { handle, reports, next };
}

/** Jobs 0..n-1 with seeded random priorities below `priorities`. */
function randomJobs(n: number, priorities: number, seed: number): ProducerData["jobs"] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, (_, seq) => ({
    seq,
    priority: Math.floor(rand() * priorities),
  }));
}

/** The order a priority queue must deliver `jobs` in when all are queued before any receive. */
function priorityOrder(jobs: Job[]): Job[] {
  return [...jobs].sort((a, b) => b.priority - a.priority || a.seq - b.seq);
}

describe("BoundedQueue.allocate and attaching", () => {
  it("refuses sizes out of range", () => {
    for (const options of [
      { capacity: 0, maxMessageBytes: 8 },
      { capacity: 1.5, maxMessageBytes: 8 },
      { capacity: 4, maxMessageBytes: -1 },
      { capacity: 4, maxMessageBytes: 8, priorities: 0 },
      { capacity: 65_536, maxMessageBytes: 1 << 20 },
    ]) {
      expectCode(
        thrownBy(() => BoundedQueue.allocate(options)),
        "InvalidArgument",
      );
    }
  });

  it("refuses to attach to a buffer that allocate() did not make", () => {
    expectCode(
      thrownBy(() => new BoundedQueue(new SharedArrayBuffer(4096))),
      "InvalidArgument",
    );
    const truncated = new SharedArrayBuffer(64);
    new Uint8Array(truncated).set(
      new Uint8Array(BoundedQueue.allocate({ capacity: 2, maxMessageBytes: 8 })).subarray(0, 64),
    );
    expectCode(
      thrownBy(() => new BoundedQueue(truncated)),
      "InvalidArgument",
    );
  });

  it("reports its sizes and the number of messages held to every attachment", async () => {
    const buffer = BoundedQueue.allocate({ capacity: 3, maxMessageBytes: 16, priorities: 4 });
    const a = new BoundedQueue(buffer);
    const b = new BoundedQueue(buffer);
    await a.send(Uint8Array.of(1));
    await a.send(Uint8Array.of(2));
    expect(b.attributes()).toEqual({ capacity: 3, maxMessageBytes: 16, count: 2 });
    expect(b.priorities).toBe(4);
  });
});

describe("BoundedQueue on the main thread", () => {
  it("receives the highest priority first and FIFO within a priority", async () => {
    const q = new BoundedQueue(BoundedQueue.allocate({ capacity: 16, maxMessageBytes: 8 }));
    const jobs = randomJobs(16, 4, 7).map((j) => ({ ...j, producer: 0 }));
    for (const j of jobs) await q.send(encodeJob(0, j.seq), { priority: j.priority });
    const got: Job[] = [];
    for (let i = 0; i < jobs.length; i++) {
      const { message, priority } = await q.recv({ timeoutMs: 1000 });
      got.push(decodeJob(message, priority));
    }
    expect(got).toEqual(priorityOrder(jobs));
  });

  it("fails trySend on a full queue and tryRecv on an empty one with WouldBlock", () => {
    const q = new BoundedQueue(BoundedQueue.allocate({ capacity: 2, maxMessageBytes: 8 }));
    expectCode(
      thrownBy(() => q.tryRecv()),
      "WouldBlock",
    );
    q.trySend(Uint8Array.of(1));
    q.trySend(Uint8Array.of(2), 3);
    expectCode(
      thrownBy(() => q.trySend(Uint8Array.of(3))),
      "WouldBlock",
    );
    expect(q.attributes().count).toBe(2);
    expect(q.tryRecv()).toEqual({ message: Uint8Array.of(2), priority: 3 });
  });

  it("refuses oversized messages and priorities out of range, and keeps working", async () => {
    const q = new BoundedQueue(
      BoundedQueue.allocate({ capacity: 2, maxMessageBytes: 4, priorities: 3 }),
    );
    expectCode(await rejectionOf(q.send(new Uint8Array(5))), "MessageTooLarge");
    expectCode(await rejectionOf(q.send(new Uint8Array(1), { priority: 3 })), "InvalidArgument");
    expectCode(await rejectionOf(q.send(new Uint8Array(1), { priority: -1 })), "InvalidArgument");
    await q.send(new Uint8Array(4), { priority: 2 });
    expect((await q.recv()).message.byteLength).toBe(4);
  });

  it("makes send wait while full and completes it when a message is taken", async () => {
    const q = new BoundedQueue(BoundedQueue.allocate({ capacity: 2, maxMessageBytes: 8 }));
    await q.send(Uint8Array.of(1));
    await q.send(Uint8Array.of(2));
    const third = q.send(Uint8Array.of(3));
    expect(await settlesWithin(third, 200)).toBe("pending");
    expect((await q.recv()).message).toEqual(Uint8Array.of(1));
    await third;
    expect(q.attributes().count).toBe(2);
  });

  it("times out a send on a full queue without sending, and a receive on an empty one", async () => {
    const q = new BoundedQueue(BoundedQueue.allocate({ capacity: 1, maxMessageBytes: 8 }));
    const t0 = performance.now();
    expectCode(await rejectionOf(q.recv({ timeoutMs: 100 })), "Timeout");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
    await q.send(Uint8Array.of(1));
    expectCode(await rejectionOf(q.send(Uint8Array.of(2), { timeoutMs: 50 })), "Timeout");
    expect(q.attributes().count).toBe(1);
    expect((await q.recv()).message).toEqual(Uint8Array.of(1));
    expectCode(
      thrownBy(() => q.tryRecv()),
      "WouldBlock",
    );
  });

  it("refuses the blocking calls, which would block the notebook kernel", () => {
    const q = new BoundedQueue(BoundedQueue.allocate({ capacity: 1, maxMessageBytes: 8 }));
    expectCode(
      thrownBy(() => q.recvSync({ timeoutMs: 10 })),
      "Unsupported",
    );
    expectCode(
      thrownBy(() => q.sendSync(Uint8Array.of(1))),
      "Unsupported",
    );
  });

  it("keeps the event loop running while a receive waits", async () => {
    const buffer = BoundedQueue.allocate({ capacity: 1, maxMessageBytes: 8 });
    const q = new BoundedQueue(buffer);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const producer = startReporting("bq-producer.ts", {
      buffer,
      producer: 1,
      jobs: [{ seq: 0, priority: 0 }],
    });
    const started = performance.now();
    const { message } = await q.recv({ timeoutMs: 10_000 });
    clearInterval(ticker);
    expect(decodeJob(message, 0).producer).toBe(1);
    // The wait lasted at least as long as a worker takes to start (tens of ms under tsx).
    expect(ticks).toBeGreaterThanOrEqual(Math.floor((performance.now() - started) / 10 / 4));
    expect(ticks).toBeGreaterThan(0);
    expect(await producer.handle.exited).toBe(0);
  });

  it("on close, fails this attachment's waits at once and lets others drain, then end", async () => {
    const buffer = BoundedQueue.allocate({ capacity: 4, maxMessageBytes: 8 });
    const producer = new BoundedQueue(buffer);
    const consumer = new BoundedQueue(buffer);
    await producer.send(Uint8Array.of(1));
    await producer.send(Uint8Array.of(2));
    await producer.close();
    await producer.close();
    expect(producer.closed).toBe(true);
    expectCode(await rejectionOf(producer.send(Uint8Array.of(3))), "ChannelClosed");
    const got: number[] = [];
    for await (const { message } of consumer) got.push(message[0]!);
    expect(got).toEqual([1, 2]);
    expect(consumer.closed).toBe(true);
    expectCode(await rejectionOf(consumer.recv()), "ChannelClosed");
  });

  it("fails a pending receive with ChannelClosed when another attachment closes", async () => {
    const buffer = BoundedQueue.allocate({ capacity: 4, maxMessageBytes: 8 });
    const waiting = new BoundedQueue(buffer).recv();
    expect(await settlesWithin(waiting, 50)).toBe("pending");
    expect(liveResources()).toEqual([expect.stringContaining("receives waiting")]);
    await new BoundedQueue(buffer).close();
    expectCode(await rejectionOf(waiting), "ChannelClosed");
  });
});

describe("BoundedQueue across worker threads", () => {
  it("delivers every job once, by priority and FIFO within a priority, from 3 producers to 2 consumers", async () => {
    const buffer = BoundedQueue.allocate({ capacity: 8, maxMessageBytes: 64, priorities: 4 });
    const perProducer = 400;
    const producers = [1, 2, 3].map((producer) =>
      startReporting("bq-producer.ts", {
        buffer,
        producer,
        jobs: randomJobs(perProducer, 4, producer),
      }),
    );
    const consumers = [0, 1].map(() =>
      startReporting("bq-consumer.ts", { buffer, api: "sync", timeoutMs: 10_000 }),
    );
    for (const p of producers) await p.next("done");
    // All jobs are queued or taken: closing now lets the consumers drain, then stop.
    await new BoundedQueue(buffer).close();
    const results = await Promise.all(consumers.map((c) => c.next("finished")));
    for (const r of results) expect(r.end).toBe("ChannelClosed");
    const all = results.flatMap((r) => r.received);
    expect(all.length).toBe(3 * perProducer);
    const keys = new Set(all.map((j) => `${j.producer}/${j.seq}`));
    expect(keys.size).toBe(3 * perProducer);
    // Each consumer sees one producer's jobs of one priority in the order they were sent.
    for (const r of results) {
      const last = new Map<string, number>();
      for (const job of r.received) {
        const key = `${job.producer}/${job.priority}`;
        const previous = last.get(key) ?? -1;
        if (job.seq <= previous) {
          throw new Error(
            `producer ${job.producer} priority ${job.priority}: seq ${job.seq} after ${previous}`,
          );
        }
        last.set(key, job.seq);
      }
    }
    for (const w of [...producers, ...consumers]) expect(await w.handle.exited).toBe(0);
  });

  it("hands a consumer in another worker the queued jobs highest priority first", async () => {
    const buffer = BoundedQueue.allocate({ capacity: 40, maxMessageBytes: 16, priorities: 8 });
    const jobs = randomJobs(40, 8, 99);
    const producer = startReporting("bq-producer.ts", { buffer, producer: 5, jobs });
    await producer.next("done");
    const consumer = startReporting("bq-consumer.ts", { buffer, api: "async", count: 40 });
    const { received, end } = await consumer.next("finished");
    expect(end).toBe("count");
    expect(received).toEqual(priorityOrder(jobs.map((j) => ({ ...j, producer: 5 }))));
    expect(await consumer.handle.exited).toBe(0);
  });

  it("blocks a producer in sendSync while the queue is full, until the main thread takes one", async () => {
    const buffer = BoundedQueue.allocate({ capacity: 3, maxMessageBytes: 8 });
    const q = new BoundedQueue(buffer);
    const jobs = [0, 1, 2, 3, 4].map((seq) => ({ seq, priority: 0 }));
    const producer = startReporting("bq-producer.ts", {
      buffer,
      producer: 1,
      jobs,
      reportEach: true,
    });
    for (let i = 0; i < 3; i++) await producer.next("sent");
    await new Promise((r) => setTimeout(r, 300));
    const sent = (): number => producer.reports.filter((r) => r.type === "sent").length;
    expect({ sent: sent(), queued: q.attributes().count }).toEqual({ sent: 3, queued: 3 });
    expect(decodeJob((await q.recv()).message, 0).seq).toBe(0);
    expect((await producer.next("sent")).seq).toBe(3);
    for (let seq = 1; seq <= 4; seq++) expect(decodeJob((await q.recv()).message, 0).seq).toBe(seq);
    await producer.next("done");
    expect(await producer.handle.exited).toBe(0);
  });

  it("wakes workers blocked in recvSync and sendSync with ChannelClosed when the queue closes", async () => {
    const empty = BoundedQueue.allocate({ capacity: 2, maxMessageBytes: 8 });
    const full = BoundedQueue.allocate({ capacity: 1, maxMessageBytes: 8 });
    const fullQueue = new BoundedQueue(full);
    await fullQueue.send(Uint8Array.of(0));
    const consumers = [0, 1].map(() =>
      startReporting("bq-consumer.ts", { buffer: empty, api: "sync" }),
    );
    const producer = startReporting("bq-producer.ts", {
      buffer: full,
      producer: 1,
      jobs: [{ seq: 1, priority: 0 }],
    });
    for (const c of consumers) await c.next("waiting");
    // Long enough for them to be asleep in Atomics.wait, not merely about to call it.
    await new Promise((r) => setTimeout(r, 300));
    expect(producer.reports).toEqual([]);
    await new BoundedQueue(empty).close();
    await fullQueue.close();
    for (const c of consumers) {
      const { end, received } = await c.next("finished");
      expect({ end, received }).toEqual({ end: "ChannelClosed", received: [] });
    }
    expect((await producer.next("failed")).code).toBe("ChannelClosed");
    for (const w of [...consumers, producer]) expect(await w.handle.exited).toBe(0);
  });

  it("times out blocking calls in workers after timeoutMs", async () => {
    const empty = BoundedQueue.allocate({ capacity: 1, maxMessageBytes: 8 });
    const full = BoundedQueue.allocate({ capacity: 1, maxMessageBytes: 8 });
    new BoundedQueue(full).trySend(Uint8Array.of(0));
    const consumer = startReporting("bq-consumer.ts", {
      buffer: empty,
      api: "sync",
      timeoutMs: 150,
    });
    const producer = startReporting("bq-producer.ts", {
      buffer: full,
      producer: 1,
      jobs: [{ seq: 1, priority: 0 }],
      timeoutMs: 150,
    });
    const finished = await consumer.next("finished");
    expect(finished.end).toBe("Timeout");
    expect(finished.waitedMs).toBeGreaterThanOrEqual(145);
    const failed = await producer.next("failed");
    expect(failed.code).toBe("Timeout");
    expect(failed.waitedMs).toBeGreaterThanOrEqual(145);
    expect(new BoundedQueue(full).attributes().count).toBe(1);
  });

  it("lets a producer's close end a consumer's iteration on the main thread after the last job", async () => {
    const buffer = BoundedQueue.allocate({ capacity: 2, maxMessageBytes: 16 });
    const jobs = Array.from({ length: 20 }, (_, seq) => ({ seq, priority: 0 }));
    const producer = startReporting("bq-producer.ts", {
      buffer,
      producer: 2,
      jobs,
      closeWhenDone: true,
    });
    const seqs: number[] = [];
    for await (const { message, priority } of new BoundedQueue(buffer)) {
      seqs.push(decodeJob(message, priority).seq);
    }
    expect(seqs).toEqual(jobs.map((j) => j.seq));
    await producer.next("done");
    expect(await producer.handle.exited).toBe(0);
  });
});
