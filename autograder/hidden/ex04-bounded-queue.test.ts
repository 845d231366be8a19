/**
 * Hidden graded tests of ex04 (bounded queue): edges of the contract (priority bounds, empty and
 * zero-size messages, slot reuse, zero timeouts, closed and full at once) and hand-offs under
 * the most contention (capacity 1). Never released to learners; `npm run grade` runs them
 * after the public ones. Same queue agents as the public tests.
 */
import {
  allocateQueue,
  CALL_MS,
  countOf,
  withAgents,
} from "../tests/programs/ex04-bounded-queue/agents";
import {
  planRecords,
  type ConsumeResult,
  type ReceivedValue,
} from "../tests/programs/ex04-bounded-queue/protocol";
import { graded } from "../lib/graded";

const bytesOf = (...values: number[]): Uint8Array => Uint8Array.from(values);

/** Throws unless `got` holds exactly `expected` (bytes and priority). */
function expectBytes(got: ReceivedValue, expected: Uint8Array, priority: number, step: string) {
  const gotList = `[${[...got.message].join(", ")}] priority ${got.priority}`;
  const wantList = `[${[...expected].join(", ")}] priority ${priority}`;
  if (gotList !== wantList) throw new Error(`${step}: expected ${wantList}, got ${gotList}`);
}

/** Throws unless a call that must not wait took under a second. */
function expectAtOnce(ms: number, step: string): void {
  if (ms > 1000) throw new Error(`${step}: took ${Math.round(ms)} ms: it must not wait`);
}

graded(
  "hands 300 messages through two queues of capacity 1 via a relaying worker, in order and intact",
  2,
  () =>
    withAgents(async (agent) => {
      const maxMessageBytes = 40;
      const first = allocateQueue({ capacity: 1, maxMessageBytes, priorities: 4 });
      const second = allocateQueue({ capacity: 1, maxMessageBytes, priorities: 4 });
      const count = 300;
      const [producer, relay, consumer] = [agent("producer"), agent("relay"), agent("consumer")];
      const consuming = await consumer.start(
        { op: "consume", buffer: second, timeoutMs: 10_000, max: count },
        "starting the consumer",
      );
      const relaying = await relay.start(
        { op: "relay", buffer: first, to: second, count, timeoutMs: 10_000 },
        "starting the relay",
      );
      await producer.returns(
        {
          op: "produce",
          buffer: first,
          producer: 9,
          count,
          seed: 99,
          priorities: 4,
          maxMessageBytes,
          timeoutMs: 10_000,
        },
        "producing",
        25_000,
      );
      await relaying.returns("relaying", 10_000);
      const { records } = await consuming.returns<ConsumeResult>("consuming", 10_000);
      // With one slot per queue, every message passes alone: the order is the send order.
      const plan = planRecords(99, count, 4, maxMessageBytes);
      for (const [seq, planned] of plan.entries()) {
        const got = records[seq];
        const want = `producer 9 seq ${seq} priority ${planned.priority}`;
        const seen = got ? `producer ${got.producer} seq ${got.seq} priority ${got.priority}` : "";
        if (!got || seen !== want || got.problem !== "") {
          throw new Error(
            `message ${seq + 1} of ${count}: expected ${want}, got ` +
              `${got ? `${seen} ${got.problem}` : "nothing"}`,
          );
        }
      }
    }),
  {
    timeoutMs: 60_000,
    hint:
      "with capacity 1 every send waits for a receive and the other way round: each must " +
      "broadcast the condition the other side sleeps on, under the mutex",
  },
);

graded(
  "accepts priorities 0 to priorities - 1 and refuses -1, priorities and 1.5 with InvalidArgument",
  1,
  () =>
    withAgents(async (agent) => {
      const buffer = allocateQueue({ capacity: 4, maxMessageBytes: 4, priorities: 3 });
      const worker = agent("worker");
      for (const priority of [-1, 3, 1.5]) {
        await worker.throws(
          { op: "trySend", buffer, message: bytesOf(1), priority },
          "InvalidArgument",
          `trySend with priority ${priority} (priorities: 3)`,
        );
        await worker.throws(
          { op: "sendSync", buffer, message: bytesOf(1), priority, timeoutMs: CALL_MS },
          "InvalidArgument",
          `sendSync with priority ${priority} (priorities: 3)`,
        );
      }
      if (countOf(buffer) !== 0) throw new Error(`refused sends queued ${countOf(buffer)}`);
      await worker.returns(
        { op: "trySend", buffer, message: bytesOf(0), priority: 0 },
        "trySend, priority 0",
      );
      await worker.returns(
        { op: "sendSync", buffer, message: bytesOf(2), priority: 2, timeoutMs: CALL_MS },
        "sendSync, priority 2 (the highest of 3)",
      );
      const top = await worker.returns<ReceivedValue>({ op: "tryRecv", buffer }, "tryRecv");
      expectBytes(top, bytesOf(2), 2, "the priority-2 message comes first");
    }),
  {
    timeoutMs: 30_000,
    hint: 'priority must be an integer with 0 <= priority < this.priorities, else throw new ChannelError("InvalidArgument", ...)',
  },
);

graded(
  "checks the size before waiting: an oversized sendSync on a full queue fails at once with MessageTooLarge",
  1,
  () =>
    withAgents(async (agent) => {
      const buffer = allocateQueue({ capacity: 1, maxMessageBytes: 4 });
      const worker = agent("worker");
      await worker.returns({ op: "trySend", buffer, message: bytesOf(1) }, "filling the queue");
      const failed = await worker.throws(
        { op: "sendSync", buffer, message: new Uint8Array(5), timeoutMs: 20_000 },
        "MessageTooLarge",
        "sendSync of 5 bytes (limit 4) into the full queue",
      );
      expectAtOnce(failed.ms, "sendSync of an oversized message into a full queue");
    }),
  {
    timeoutMs: 30_000,
    hint: "check the message before taking the lock: no wait can make it fit",
  },
);

graded(
  "with maxMessageBytes 0 carries empty messages and refuses a 1-byte one",
  1,
  () =>
    withAgents(async (agent) => {
      const buffer = allocateQueue({ capacity: 2, maxMessageBytes: 0, priorities: 2 });
      const worker = agent("worker");
      await worker.throws(
        { op: "trySend", buffer, message: bytesOf(9) },
        "MessageTooLarge",
        "trySend of 1 byte, limit 0",
      );
      await worker.returns(
        { op: "trySend", buffer, message: new Uint8Array(0), priority: 0 },
        "trySend of an empty message",
      );
      await worker.returns(
        { op: "sendSync", buffer, message: new Uint8Array(0), priority: 1, timeoutMs: CALL_MS },
        "sendSync of an empty message, priority 1",
      );
      for (const priority of [1, 0]) {
        const got = await worker.returns<ReceivedValue>(
          { op: "recvSync", buffer, timeoutMs: CALL_MS },
          `receiving the empty message of priority ${priority}`,
        );
        expectBytes(got, new Uint8Array(0), priority, `the empty message of priority ${priority}`);
      }
    }),
  { timeoutMs: 30_000, hint: "an empty message is a message: its slot holds length 0, not free" },
);

graded(
  "returns each message's own bytes when a short message reuses the slot of a longer one",
  1,
  () =>
    withAgents(async (agent) => {
      const buffer = allocateQueue({ capacity: 1, maxMessageBytes: 32 });
      const worker = agent("worker");
      const long = Uint8Array.from({ length: 32 }, (_, i) => 100 + i);
      const messages = [long, bytesOf(1, 2, 3), new Uint8Array(0), bytesOf(7)];
      for (const [i, message] of messages.entries()) {
        await worker.returns({ op: "trySend", buffer, message }, `send ${i + 1}`);
        const got = await worker.returns<ReceivedValue>({ op: "tryRecv", buffer }, `recv ${i + 1}`);
        expectBytes(got, message, 0, `message ${i + 1} of ${messages.length}, all in one slot`);
      }
    }),
  {
    timeoutMs: 30_000,
    hint: "copy out SLOT_LENGTH bytes, not the whole slot: bytes.slice(start, start + length)",
  },
);

graded(
  "treats timeoutMs 0 as one look: Timeout at once when it cannot proceed, success when it can",
  1,
  () =>
    withAgents(async (agent) => {
      const buffer = allocateQueue({ capacity: 1, maxMessageBytes: 4 });
      const worker = agent("worker");
      let failed = await worker.throws(
        { op: "recvSync", buffer, timeoutMs: 0 },
        "Timeout",
        "recvSync({ timeoutMs: 0 }) on an empty queue",
      );
      expectAtOnce(failed.ms, "recvSync({ timeoutMs: 0 }) on an empty queue");
      await worker.returns(
        { op: "sendSync", buffer, message: bytesOf(4), timeoutMs: 0 },
        "sendSync({ timeoutMs: 0 }) on an empty queue",
      );
      failed = await worker.throws(
        { op: "sendSync", buffer, message: bytesOf(5), timeoutMs: 0 },
        "Timeout",
        "sendSync({ timeoutMs: 0 }) on a full queue",
      );
      expectAtOnce(failed.ms, "sendSync({ timeoutMs: 0 }) on a full queue");
      const got = await worker.returns<ReceivedValue>(
        { op: "recvSync", buffer, timeoutMs: 0 },
        "recvSync({ timeoutMs: 0 }) with a message queued",
      );
      expectBytes(got, bytesOf(4), 0, "recvSync({ timeoutMs: 0 }) with a message queued");
    }),
  {
    timeoutMs: 30_000,
    hint: "check the condition before looking at the clock: a call that can proceed never times out",
  },
);

graded(
  "fails sends on a closed queue with ChannelClosed even when it is full, and survives two closes at once",
  1,
  () =>
    withAgents(async (agent) => {
      const buffer = allocateQueue({ capacity: 1, maxMessageBytes: 4 });
      const [a, b] = [agent("worker A"), agent("worker B")];
      await a.returns({ op: "trySend", buffer, message: bytesOf(1) }, "filling the queue");
      const closing = await Promise.all([
        a.start({ op: "close", buffer }, "worker A closes"),
        b.start({ op: "close", buffer }, "worker B closes at the same time"),
      ]);
      await Promise.all(closing.map((c) => c.returns("closing twice at once")));
      await a.throws(
        { op: "trySend", buffer, message: bytesOf(2) },
        "ChannelClosed",
        "trySend into the closed, full queue",
      );
      await a.throws(
        { op: "sendSync", buffer, message: bytesOf(2), timeoutMs: 20_000 },
        "ChannelClosed",
        "sendSync into the closed, full queue",
      );
      const got = await b.returns<ReceivedValue>({ op: "tryRecv", buffer }, "draining");
      expectBytes(got, bytesOf(1), 0, "the closed queue still delivers its message");
      await b.throws(
        { op: "sendSync", buffer, message: bytesOf(3), timeoutMs: CALL_MS },
        "ChannelClosed",
        "sendSync into the closed queue, now with room",
      );
    }),
  {
    timeoutMs: 30_000,
    hint: "test CLOSED before testing for room: a closed queue refuses sends whether full or not",
  },
);

graded(
  "delivers 4 producers' messages to 2 consumers through one slot, 16 priorities, none lost or doubled",
  2,
  () =>
    withAgents(async (agent) => {
      const priorities = 16;
      const maxMessageBytes = 24;
      const perProducer = 150;
      const buffer = allocateQueue({ capacity: 1, maxMessageBytes, priorities });
      const consumers = [1, 2].map((k) => agent(`consumer ${k}`));
      const producers = [1, 2, 3, 4].map((k) => agent(`producer ${k}`));
      const consuming = await Promise.all(
        consumers.map((c) => c.start({ op: "consume", buffer, timeoutMs: 20_000 }, "consumers")),
      );
      const producing = await Promise.all(
        producers.map((p, i) =>
          p.start(
            {
              op: "produce",
              buffer,
              producer: i + 1,
              count: perProducer,
              seed: 500 + i,
              priorities,
              maxMessageBytes,
              timeoutMs: 20_000,
            },
            "producers",
          ),
        ),
      );
      await Promise.all(producing.map((p) => p.returns("producing", 40_000)));
      await producers[0]!.returns({ op: "close", buffer }, "closing after the last send");
      const results = await Promise.all(
        consuming.map((c) => c.returns<ConsumeResult>("consuming until closed", 10_000)),
      );
      const seen = new Set<string>();
      for (const [c, { records, end }] of results.entries()) {
        if (end !== "ChannelClosed") throw new Error(`consumer ${c + 1} ended with ${end}`);
        const last = new Map<number, number>();
        for (const r of records) {
          const where = `consumer ${c + 1}: producer ${r.producer} seq ${r.seq}`;
          if (r.problem !== "") throw new Error(`${where}: corrupt: ${r.problem}`);
          const key = `${r.producer}/${r.seq}`;
          if (seen.has(key)) throw new Error(`${where}: received twice`);
          seen.add(key);
          // One slot: a producer's messages pass one at a time, in the order it sent them.
          if (r.seq <= (last.get(r.producer) ?? -1)) {
            throw new Error(`${where}: after seq ${last.get(r.producer)} of the same producer`);
          }
          last.set(r.producer, r.seq);
        }
      }
      if (seen.size !== 4 * perProducer) {
        throw new Error(`expected ${4 * perProducer} distinct messages, got ${seen.size}`);
      }
    }),
  {
    timeoutMs: 80_000,
    hint:
      "under contention a woken thread may find the slot taken again: wait in a while loop, " +
      "never an if",
  },
);
