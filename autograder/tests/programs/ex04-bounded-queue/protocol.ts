/**
 * What the ex04 tests and their queue agents (queue-agent.ts, a worker program) say to each
 * other, and the self-checking messages producers send through the learner's queue.
 *
 * An agent runs one command at a time: it answers `started` just before calling the learner's
 * code (which may block its thread), then `done` or `failed`. A test that sees `started` but
 * no `done` knows the call is blocked.
 */
import { createRandom } from "../../../lib/seeded-random";

/** The mutex test's buffer: Int32 words. */
export const COUNTER_LOCK = 0;
/** The counter the agents increment with plain (non-atomic) reads and writes, under the lock. */
export const COUNTER_VALUE = 1;
/** Set to 1 (and notified) by the test to start every counting agent at once. */
export const COUNTER_GO = 2;
/** Int32 words in the mutex test's buffer. */
export const COUNTER_WORDS = 3;

/** Fields every command may carry. */
interface CommandBase {
  /** After answering, the agent closes its channel and its thread ends (if nothing else holds it). */
  exitAfter?: boolean;
}

/** One call into the learner's queue (attached to `buffer` for this command). */
export type QueueCall =
  | { op: "trySend"; message: Uint8Array; priority?: number }
  | { op: "sendSync"; message: Uint8Array; priority?: number; timeoutMs: number }
  | { op: "tryRecv" }
  | { op: "recvSync"; timeoutMs: number }
  | { op: "close" }
  /** Sends `count` self-checking messages (see {@link encodeRecord}) with sendSync. */
  | {
      op: "produce";
      producer: number;
      count: number;
      seed: number;
      priorities: number;
      maxMessageBytes: number;
      timeoutMs: number;
    }
  /** `count` times: recvSync from this queue, then sendSync the message on to `to`. */
  | { op: "relay"; to: SharedArrayBuffer; count: number; timeoutMs: number }
  /** recvSync until the queue is closed and drained (or `max` messages), checking each. */
  | { op: "consume"; timeoutMs: number; max?: number };

/** A command to an agent. */
export type AgentCommand =
  | (QueueCall & CommandBase & { buffer: SharedArrayBuffer })
  /** The mutex test: wait for COUNTER_GO, then `iterations` locked increments of COUNTER_VALUE. */
  | (CommandBase & { op: "countUp"; buffer: SharedArrayBuffer; iterations: number });

/** The name of a command. */
export type AgentOp = AgentCommand["op"];

/** A message one consumer took, as it checked it. */
export interface ConsumedRecord {
  producer: number;
  seq: number;
  /** The priority recvSync reported. */
  priority: number;
  /** Empty when the bytes are what the producer sent; else what is wrong with them. */
  problem: string;
}

/** What `tryRecv` and `recvSync` return, as the agent reports it. */
export interface ReceivedValue {
  /** A copy of the message's bytes. */
  message: Uint8Array;
  priority: number;
  /** True when the learner returned a view on shared memory (the queue's slot), not a copy. */
  shared: boolean;
  /** What the learner returned as `message`: "[object Uint8Array]" when right. */
  kind: string;
}

/** What `consume` returns: the records, and the ChannelError code that ended it (or "max"). */
export interface ConsumeResult {
  records: ConsumedRecord[];
  end: string;
}

/** An agent's answers, in order: `started`, then `done` or `failed`. */
export type AgentReply =
  | { type: "started"; op: AgentOp }
  | { type: "done"; op: AgentOp; value: unknown; ms: number }
  | {
      type: "failed";
      op: AgentOp;
      /** The ChannelError code, or the error's name for any other error. */
      code: string;
      message: string;
      ms: number;
    };

/** workerData of queue-agent.ts. */
export interface AgentData {
  name: string;
  /** The learner's (or the solution's) bounded-queue.ts and shared-lock.ts. */
  queueFile: string;
  lockFile: string;
}

/** Bytes before a record's payload: producer (1), seq (4, big-endian), priority (1). */
export const RECORD_HEADER_BYTES = 6;

/** The payload byte at `i` of record (producer, seq): any stale or shifted byte shows. */
export function payloadByte(producer: number, seq: number, i: number): number {
  return (producer * 131 + seq * 31 + i * 7 + ((seq * i) >>> 3)) & 0xff;
}

/** A self-checking message: header, then `payloadBytes` bytes of {@link payloadByte}. */
export function encodeRecord(
  producer: number,
  seq: number,
  priority: number,
  payloadBytes: number,
): Uint8Array {
  const bytes = new Uint8Array(RECORD_HEADER_BYTES + payloadBytes);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, producer);
  view.setUint32(1, seq);
  view.setUint8(5, priority);
  for (let i = 0; i < payloadBytes; i++)
    bytes[RECORD_HEADER_BYTES + i] = payloadByte(producer, seq, i);
  return bytes;
}

/** Reads a record back and says what, if anything, is wrong with it. */
export function decodeRecord(message: Uint8Array, priority: number): ConsumedRecord {
  if (message.byteLength < RECORD_HEADER_BYTES) {
    return { producer: -1, seq: -1, priority, problem: `only ${message.byteLength} bytes` };
  }
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const producer = view.getUint8(0);
  const seq = view.getUint32(1);
  const sentWith = view.getUint8(5);
  let problem = "";
  if (sentWith !== priority) problem = `sent with priority ${sentWith}, received as ${priority}`;
  for (let i = 0; problem === "" && i < message.byteLength - RECORD_HEADER_BYTES; i++) {
    const got = message[RECORD_HEADER_BYTES + i];
    const want = payloadByte(producer, seq, i);
    if (got !== want) problem = `payload byte ${i} is ${got}, expected ${want}`;
  }
  return { producer, seq, priority, problem };
}

/** Priority and payload size of each of a producer's `count` records, from `seed`. */
export function planRecords(
  seed: number,
  count: number,
  priorities: number,
  maxMessageBytes: number,
): { priority: number; payloadBytes: number }[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => ({
    priority: random.int(0, priorities - 1),
    payloadBytes: random.int(0, maxMessageBytes - RECORD_HEADER_BYTES),
  }));
}
