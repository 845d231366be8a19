/**
 * Graded tests of ex04 (bounded queue): the learner's BoundedQueue and SharedMutex, driven by
 * real worker threads. Each worker is a queue agent (programs/ex04-bounded-queue/queue-agent.ts)
 * that attaches the learner's queue to a shared buffer and makes the calls the test sends it;
 * the test thread only allocates buffers, reads `count()` and watches which calls return and
 * which stay blocked. Every wait has a limit, and every agent is stopped when its test ends.
 */
import {
  allocateQueue,
  CALL_MS,
  countOf,
  exitWithin,
  withAgents,
  type QueueAgent,
  type RunningCall,
} from "./programs/ex04-bounded-queue/agents";
import {
  COUNTER_GO,
  COUNTER_VALUE,
  COUNTER_WORDS,
  planRecords,
  type ConsumeResult,
  type ReceivedValue,
} from "./programs/ex04-bounded-queue/protocol";
import { graded } from "../lib/graded";
import { PriorityModel, type OrderStep } from "./programs/ex04-bounded-queue/model";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const show = (bytes: Uint8Array): string =>
  bytes.byteLength <= 24
    ? JSON.stringify(new TextDecoder().decode(bytes))
    : `${bytes.byteLength} bytes`;

/** Throws unless `got` is `expected` with priority `priority`, as a copy of the slot's bytes. */
function expectMessage(got: ReceivedValue, expected: Uint8Array, priority: number, step: string) {
  if (got.kind !== "[object Uint8Array]") {
    throw new Error(`${step}: expected the message as a Uint8Array, got ${got.kind}`);
  }
  const same =
    got.message.byteLength === expected.byteLength &&
    got.message.every((byte, i) => byte === expected[i]);
  if (!same || got.priority !== priority) {
    throw new Error(
      `${step}: expected ${show(expected)} with priority ${priority}, ` +
        `got ${show(got.message)} with priority ${got.priority}`,
    );
  }
  if (got.shared) {
    throw new Error(
      `${step}: the message is a view on the queue's shared buffer, not a copy: the next send ` +
        `into that slot would change it under the receiver (use slice(), not subarray())`,
    );
  }
}

/** Throws unless the queue in `buffer` holds `expected` messages (read with `count()`). */
function expectCount(buffer: SharedArrayBuffer, expected: number, step: string): void {
  const got = countOf(buffer);
  if (got !== expected) {
    throw new Error(`${step}: expected count() to be ${expected}, got ${got}`);
  }
}

/** Throws unless every call is still blocked after `ms`. */
async function expectAllBlocked(calls: RunningCall[], ms: number, step: string, why: string) {
  await Promise.all(calls.map((call) => call.expectBlocked(ms, step, why)));
}

graded(
  "SharedMutex lets no increment be lost when 4 workers count under it at once",
  2,
  () =>
    withAgents(async (agent) => {
      const iterations = 20_000;
      const workers = 4;
      const buffer = new SharedArrayBuffer(COUNTER_WORDS * Int32Array.BYTES_PER_ELEMENT);
      const i32 = new Int32Array(buffer);
      const counters = Array.from({ length: workers }, (_, k) => agent(`counter ${k + 1}`));
      const calls = await Promise.all(
        counters.map((c) =>
          c.start({ op: "countUp", buffer, iterations }, "starting the counting workers"),
        ),
      );
      // All four are waiting for the word: go.
      Atomics.store(i32, COUNTER_GO, 1);
      Atomics.notify(i32, COUNTER_GO);
      await Promise.all(calls.map((c) => c.returns("counting", 20_000)));
      const total = Atomics.load(i32, COUNTER_VALUE);
      if (total !== workers * iterations) {
        throw new Error(
          `${workers} workers × ${iterations} increments, each under lock()/unlock(): expected ` +
            `the counter at ${workers * iterations}, got ${total}: ${workers * iterations - total} ` +
            `increments lost, so two threads held the mutex at once`,
        );
      }
    }),
  {
    timeoutMs: 40_000,
    hint:
      "lock(): loop on Atomics.compareExchange(i32, index, 0, 1) until it returns 0, sleeping " +
      "with Atomics.wait(i32, index, 1) between tries; unlock(): Atomics.store(i32, index, 0), " +
      "then Atomics.notify(i32, index, 1)",
  },
);

graded(
  "passes a message with its priority from one worker to another through the shared buffer",
  1,
  () =>
    withAgents(async (agent) => {
      const buffer = allocateQueue({ capacity: 4, maxMessageBytes: 32, priorities: 8 });
      const producer = agent("producer");
      const consumer = agent("consumer");
      const hello = text("hello, queue");
      await producer.returns(
        { op: "sendSync", buffer, message: hello, priority: 5, timeoutMs: CALL_MS },
        "the producer sends",
      );
      expectCount(buffer, 1, "after one send");
      const got = await consumer.returns<ReceivedValue>(
        { op: "recvSync", buffer, timeoutMs: CALL_MS },
        "the consumer receives",
      );
      expectMessage(got, hello, 5, "the consumer receives");
      expectCount(buffer, 0, "after the receive");
    }),
  {
    timeoutMs: 30_000,
    hint:
      "sendSync: copy the message into a free slot (bytes.set at slotOffset), record its " +
      "length, priority and ticket in the slot table, add 1 to COUNT; recvSync: copy it out " +
      "with bytes.slice and mark the slot FREE_SLOT",
  },
);

graded(
  "blocks a sender while the queue is full, until a consumer takes a message",
  3,
  () =>
    withAgents(async (agent) => {
      const capacity = 3;
      const buffer = allocateQueue({ capacity, maxMessageBytes: 16 });
      const producer = agent("producer");
      const consumer = agent("consumer");
      const message = (seq: number): Uint8Array => text(`message ${seq}`);
      for (let seq = 0; seq < capacity; seq++) {
        await producer.returns(
          { op: "sendSync", buffer, message: message(seq), timeoutMs: CALL_MS },
          `send ${seq + 1} of ${capacity} into an empty queue of capacity ${capacity}`,
        );
      }
      const fourth = await producer.start(
        { op: "sendSync", buffer, message: message(capacity), timeoutMs: 30_000 },
        "a send into the full queue",
      );
      await fourth.expectBlocked(
        500,
        "a send into the full queue",
        `the queue holds ${capacity} of ${capacity}: sendSync waits on notFull until there is room`,
      );
      expectCount(buffer, capacity, "while the fourth send waits");
      const first = await consumer.returns<ReceivedValue>(
        { op: "recvSync", buffer, timeoutMs: CALL_MS },
        "the consumer takes one message",
      );
      expectMessage(first, message(0), 0, "the consumer takes one message");
      await fourth.returns("the waiting send, once the consumer made room");
      expectCount(buffer, capacity, "after the waiting send went in");
      for (let seq = 1; seq <= capacity; seq++) {
        const got = await consumer.returns<ReceivedValue>(
          { op: "recvSync", buffer, timeoutMs: CALL_MS },
          `the consumer takes message ${seq}`,
        );
        expectMessage(got, message(seq), 0, `the consumer takes message ${seq}`);
      }
    }),
  {
    timeoutMs: 30_000,
    hint:
      "sendSync: while COUNT === capacity (and not closed), this.notFull.wait(time left); every " +
      "receive calls this.notFull.broadcast() after freeing a slot",
  },
);

graded(
  "receives the highest priority first and FIFO within a priority, across workers and reused slots",
  2,
  () =>
    withAgents(async (agent) => {
      const priorities = 4;
      const maxMessageBytes = 32;
      const buffer = allocateQueue({ capacity: 16, maxMessageBytes, priorities });
      const producers = [agent("producer A"), agent("producer B")];
      const consumer = agent("consumer");
      // Sends and receives in turn, so later messages land in the slots freed in between,
      // anywhere in the slot table: the slot a message sits in says nothing about its age.
      const steps: OrderStep[] = [
        { send: { producer: 1, count: 16, seed: 401 } },
        { take: 6 },
        { send: { producer: 2, count: 6, seed: 402 } },
        { take: 9 },
        { send: { producer: 3, count: 9, seed: 403 } },
        { take: 16 },
      ];
      const model = new PriorityModel();
      for (const [i, step] of steps.entries()) {
        if ("send" in step) {
          const { producer, count, seed } = step.send;
          await producers[producer % 2]!.returns(
            {
              op: "produce",
              buffer,
              ...step.send,
              priorities,
              maxMessageBytes,
              timeoutMs: CALL_MS,
            },
            `step ${i + 1}: worker ${producer % 2 ? "A" : "B"} sends ${count} messages as producer ${producer}`,
          );
          model.send(producer, planRecords(seed, count, priorities, maxMessageBytes));
          continue;
        }
        const { records } = await consumer.returns<ConsumeResult>(
          { op: "consume", buffer, timeoutMs: CALL_MS, max: step.take },
          `step ${i + 1}: the consumer takes ${step.take}`,
        );
        model.expectTaken(records, `step ${i + 1}: the consumer takes ${step.take}`);
      }
    }),
  {
    timeoutMs: 30_000,
    hint:
      "receive the slot with the highest SLOT_PRIORITY and, among those, the lowest " +
      "SLOT_TICKET (not the lowest slot: freed slots are reused); each send stores the ticket " +
      "in NEXT_TICKET and adds 1 to it",
  },
);

graded(
  "refuses a message over maxMessageBytes with MessageTooLarge, queueing nothing",
  2,
  () =>
    withAgents(async (agent) => {
      const maxMessageBytes = 16;
      const buffer = allocateQueue({ capacity: 2, maxMessageBytes });
      const producer = agent("producer");
      const consumer = agent("consumer");
      const tooLarge = new Uint8Array(maxMessageBytes + 1).fill(7);
      await producer.throws(
        { op: "trySend", buffer, message: tooLarge },
        "MessageTooLarge",
        `trySend of ${maxMessageBytes + 1} bytes into a queue of maxMessageBytes ${maxMessageBytes}`,
      );
      await producer.throws(
        { op: "sendSync", buffer, message: new Uint8Array(1000), timeoutMs: CALL_MS },
        "MessageTooLarge",
        `sendSync of 1000 bytes into a queue of maxMessageBytes ${maxMessageBytes}`,
      );
      expectCount(buffer, 0, "after two refused sends");
      const largest = Uint8Array.from({ length: maxMessageBytes }, (_, i) => 200 + i);
      await producer.returns(
        { op: "sendSync", buffer, message: largest, timeoutMs: CALL_MS },
        `sendSync of exactly maxMessageBytes (${maxMessageBytes})`,
      );
      await producer.returns(
        { op: "trySend", buffer, message: new Uint8Array(0) },
        "trySend of an empty message",
      );
      for (const [i, expected] of [largest, new Uint8Array(0)].entries()) {
        const got = await consumer.returns<ReceivedValue>(
          { op: "recvSync", buffer, timeoutMs: CALL_MS },
          `receive ${i + 1} of 2`,
        );
        expectMessage(got, expected, 0, `receive ${i + 1} of 2`);
      }
    }),
  {
    timeoutMs: 30_000,
    hint: 'check message.byteLength > this.maxMessageBytes first: throw new ChannelError("MessageTooLarge", ...)',
  },
);

graded(
  "times out a receive on an empty queue and a send on a full one with Timeout, taking and sending nothing",
  2,
  () =>
    withAgents(async (agent) => {
      const buffer = allocateQueue({ capacity: 1, maxMessageBytes: 16 });
      const producer = agent("producer");
      const consumer = agent("consumer");
      const timeoutMs = 300;
      const expectWaited = (ms: number, step: string): void => {
        if (ms < timeoutMs - 10) {
          throw new Error(`${step}: expected Timeout after ${timeoutMs} ms, got it after ${ms} ms`);
        }
      };
      const recvTimeout = await consumer.throws(
        { op: "recvSync", buffer, timeoutMs },
        "Timeout",
        `recvSync({ timeoutMs: ${timeoutMs} }) on an empty queue`,
      );
      expectWaited(recvTimeout.ms, "recvSync on an empty queue");
      const first = text("first");
      await producer.returns(
        { op: "sendSync", buffer, message: first, timeoutMs: CALL_MS },
        "a send after the receive timed out",
      );
      expectCount(buffer, 1, "a receive that timed out must not take a later message");
      expectMessage(
        await consumer.returns<ReceivedValue>(
          { op: "recvSync", buffer, timeoutMs: CALL_MS },
          "the next receive",
        ),
        first,
        0,
        "the next receive gets the message sent after the timeout",
      );
      const second = text("second");
      await producer.returns(
        { op: "sendSync", buffer, message: second, timeoutMs: CALL_MS },
        "filling the queue (capacity 1)",
      );
      const sendTimeout = await producer.throws(
        { op: "sendSync", buffer, message: text("never queued"), timeoutMs },
        "Timeout",
        `sendSync({ timeoutMs: ${timeoutMs} }) on a full queue`,
      );
      expectWaited(sendTimeout.ms, "sendSync on a full queue");
      expectCount(buffer, 1, "after the send timed out");
      expectMessage(
        await consumer.returns<ReceivedValue>(
          { op: "recvSync", buffer, timeoutMs: CALL_MS },
          "receiving after the send timed out",
        ),
        second,
        0,
        "receiving after the send timed out",
      );
      await consumer.throws(
        { op: "recvSync", buffer, timeoutMs },
        "Timeout",
        "receiving again: the send that timed out must have queued nothing",
      );
    }),
  {
    timeoutMs: 30_000,
    hint:
      "compute a deadline once (performance.now() + timeoutMs); in the wait loop pass the time " +
      'left to wait(), and when none is left throw new ChannelError("Timeout", ...)',
  },
);

graded(
  "fails trySend on a full queue and tryRecv on an empty one with WouldBlock, at once",
  1,
  () =>
    withAgents(async (agent) => {
      const buffer = allocateQueue({ capacity: 2, maxMessageBytes: 8, priorities: 4 });
      const worker = agent("worker");
      const atOnce = (ms: number, step: string): void => {
        if (ms > 1000) throw new Error(`${step}: took ${Math.round(ms)} ms: it must not wait`);
      };
      let failed = await worker.throws({ op: "tryRecv", buffer }, "WouldBlock", "tryRecv, empty");
      atOnce(failed.ms, "tryRecv on an empty queue");
      const [low, high] = [text("low"), text("high")];
      await worker.returns({ op: "trySend", buffer, message: low, priority: 0 }, "trySend 1 of 2");
      await worker.returns({ op: "trySend", buffer, message: high, priority: 3 }, "trySend 2 of 2");
      failed = await worker.throws(
        { op: "trySend", buffer, message: text("extra") },
        "WouldBlock",
        "trySend into the full queue (capacity 2)",
      );
      atOnce(failed.ms, "trySend on a full queue");
      expectCount(buffer, 2, "after trySend failed on the full queue");
      const first = await worker.returns<ReceivedValue>({ op: "tryRecv", buffer }, "tryRecv 1");
      expectMessage(first, high, 3, "tryRecv 1 (the higher priority)");
      const second = await worker.returns<ReceivedValue>({ op: "tryRecv", buffer }, "tryRecv 2");
      expectMessage(second, low, 0, "tryRecv 2");
      await worker.throws({ op: "tryRecv", buffer }, "WouldBlock", "tryRecv, empty again");
    }),
  {
    timeoutMs: 30_000,
    hint: 'under the mutex: full (trySend) or empty (tryRecv) -> throw new ChannelError("WouldBlock", ...), never wait()',
  },
);

graded(
  "close wakes every blocked sender and receiver with ChannelClosed; receivers still drain the queue",
  3,
  () =>
    withAgents(async (agent) => {
      const empty = allocateQueue({ capacity: 2, maxMessageBytes: 8 });
      const full = allocateQueue({ capacity: 1, maxMessageBytes: 8 });
      const closer = agent("closer");
      const queued = text("queued");
      await closer.returns({ op: "trySend", buffer: full, message: queued }, "filling a queue");
      const receivers = [agent("receiver 1"), agent("receiver 2")];
      const senders = [agent("sender 1"), agent("sender 2")];
      const blocked = [
        ...(await Promise.all(
          receivers.map((r) =>
            r.start({ op: "recvSync", buffer: empty, timeoutMs: 30_000 }, "receive, empty"),
          ),
        )),
        ...(await Promise.all(
          senders.map((s) =>
            s.start(
              { op: "sendSync", buffer: full, message: text("late"), timeoutMs: 30_000 },
              "send, full",
            ),
          ),
        )),
      ];
      await expectAllBlocked(blocked, 300, "before close", "nothing was sent or taken yet");
      await closer.returns({ op: "close", buffer: empty }, "closing the empty queue");
      await closer.returns({ op: "close", buffer: full }, "closing the full queue");
      await Promise.all(
        blocked.map((call) =>
          call.throws("ChannelClosed", "after close: every blocked call fails", 3_000),
        ),
      );
      const [receiver, other] = receivers as [QueueAgent, QueueAgent];
      expectMessage(
        await receiver.returns<ReceivedValue>(
          { op: "recvSync", buffer: full, timeoutMs: CALL_MS },
          "receiving from the closed queue that still holds a message",
        ),
        queued,
        0,
        "a closed queue still delivers what it holds",
      );
      await receiver.throws(
        { op: "recvSync", buffer: full, timeoutMs: CALL_MS },
        "ChannelClosed",
        "receiving from the closed queue once drained",
      );
      await other.throws({ op: "tryRecv", buffer: empty }, "ChannelClosed", "tryRecv, closed");
      await senders[0]!.throws(
        { op: "trySend", buffer: empty, message: text("x") },
        "ChannelClosed",
        "trySend into the closed queue",
      );
      await closer.returns({ op: "close", buffer: empty }, "closing again (harmless)");
    }),
  {
    timeoutMs: 40_000,
    hint:
      "close(): under the mutex set CLOSED to 1, then broadcast() both notEmpty and notFull; " +
      "the wait loops stop on CLOSED; a receiver takes what is still queued first",
  },
);

graded(
  "delivers each of 900 seeded messages exactly once from 3 producers to 3 consumers, in order per producer and priority",
  3,
  () =>
    withAgents(async (agent) => {
      const priorities = 4;
      const maxMessageBytes = 48;
      const perProducer = 300;
      const buffer = allocateQueue({ capacity: 4, maxMessageBytes, priorities });
      const consumers = [1, 2, 3].map((k) => agent(`consumer ${k}`));
      const producers = [1, 2, 3].map((k) => agent(`producer ${k}`));
      const consuming = await Promise.all(
        consumers.map((c) =>
          c.start({ op: "consume", buffer, timeoutMs: 30_000 }, "starting the consumers"),
        ),
      );
      const producing = await Promise.all(
        producers.map((p, i) =>
          p.start(
            {
              op: "produce",
              buffer,
              producer: i + 1,
              count: perProducer,
              seed: 7_000 + i,
              priorities,
              maxMessageBytes,
              timeoutMs: 30_000,
            },
            "starting the producers",
          ),
        ),
      );
      await Promise.all(producing.map((p) => p.returns("producing", 30_000)));
      // Everything is sent: closing lets the consumers drain the queue, then stop.
      await producers[0]!.returns({ op: "close", buffer }, "closing after the last send");
      const results = await Promise.all(
        consuming.map((c) => c.returns<ConsumeResult>("consuming until closed", 10_000)),
      );
      const plans = [1, 2, 3].map((k) =>
        planRecords(7_000 + k - 1, perProducer, priorities, maxMessageBytes),
      );
      const seen = new Map<string, number>();
      for (const [c, { records, end }] of results.entries()) {
        if (end !== "ChannelClosed") {
          throw new Error(`consumer ${c + 1} stopped with ${end}, expected ChannelClosed`);
        }
        const last = new Map<string, number>();
        for (const r of records) {
          const where = `consumer ${c + 1}: producer ${r.producer} seq ${r.seq}`;
          if (r.problem !== "") throw new Error(`${where}: corrupt message: ${r.problem}`);
          const planned = plans[r.producer - 1]?.[r.seq];
          if (!planned) throw new Error(`${where}: no such message was sent`);
          if (planned.priority !== r.priority) {
            throw new Error(`${where}: sent with priority ${planned.priority}, got ${r.priority}`);
          }
          const key = `${r.producer}/${r.seq}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
          if (seen.get(key)! > 1) throw new Error(`${where}: received twice`);
          // One consumer sees one producer's messages of one priority in the order sent.
          const stream = `${r.producer}/${r.priority}`;
          const previous = last.get(stream) ?? -1;
          if (r.seq < previous) {
            throw new Error(
              `${where}: received after seq ${previous} of the same producer and priority ` +
                `${r.priority}: FIFO within a priority is broken`,
            );
          }
          last.set(stream, r.seq);
        }
      }
      const missing = plans.flatMap((plan, p) =>
        plan.map((_, seq) => `${p + 1}/${seq}`).filter((key) => !seen.has(key)),
      );
      if (missing.length > 0) {
        throw new Error(
          `${missing.length} of ${3 * perProducer} messages never arrived (producer/seq): ` +
            `${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", ..." : ""}`,
        );
      }
      expectCount(buffer, 0, "after the consumers drained the closed queue");
    }),
  {
    timeoutMs: 60_000,
    hint:
      "every read and write of COUNT, NEXT_TICKET and the slot table happens while holding the " +
      "mutex; wait loops re-check their condition after every wake-up (another thread may have " +
      "taken the slot or the message first)",
  },
);

graded(
  "lets every worker blocked on the queue return and exit by itself after close: none needs terminate()",
  1,
  () =>
    withAgents(async (agent) => {
      const empty = allocateQueue({ capacity: 1, maxMessageBytes: 8 });
      const full = allocateQueue({ capacity: 1, maxMessageBytes: 8 });
      const closer = agent("closer");
      await closer.returns({ op: "trySend", buffer: full, message: text("x") }, "filling a queue");
      // Each makes one call that waits far longer than this test, then ends its thread.
      const waitMs = 60_000;
      const workers = [
        ...[1, 2].map((k) => ({
          agent: agent(`consumer ${k}`),
          command: { op: "consume", buffer: empty, timeoutMs: waitMs, exitAfter: true } as const,
        })),
        ...[1, 2].map((k) => ({
          agent: agent(`producer ${k}`),
          command: {
            op: "sendSync",
            buffer: full,
            message: text("y"),
            timeoutMs: waitMs,
            exitAfter: true,
          } as const,
        })),
      ];
      const calls = await Promise.all(
        workers.map((w) => w.agent.start(w.command, "starting the workers")),
      );
      await expectAllBlocked(calls, 300, "before close", "nothing was sent or taken yet");
      await closer.returns({ op: "close", buffer: empty }, "closing the empty queue");
      await closer.returns({ op: "close", buffer: full }, "closing the full queue");
      for (const [i, call] of calls.entries()) {
        await call.outcome("after close", 3_000);
        const { handle, name } = workers[i]!.agent;
        const code = await exitWithin(handle, 5_000);
        if (code !== 0) {
          throw new Error(
            `after close: expected ${name} to return from ${call.label} and its thread to exit ` +
              `by itself with code 0, got ${code === undefined ? "still running after 5 s" : `exit code ${code}`}`,
          );
        }
      }
    }),
  {
    timeoutMs: 40_000,
    hint:
      "close() must wake every sleeper: Atomics.notify(i32, word) with no count wakes all " +
      "threads waiting on the word (a count of 1 wakes just one)",
  },
);
