/**
 * The shared-memory layout of a BoundedQueue. One SharedArrayBuffer holds, in order:
 *
 *   header      HEADER_WORDS Int32 words (the indices below)
 *   slot table  `capacity` entries of SLOT_WORDS Int32 words: which slots hold a message
 *   data        `capacity` slots of `maxMessageBytes` bytes, starting 8-byte aligned
 *
 * Fixed-size slots, not a byte ring: like a POSIX queue (mq_maxmsg slots of mq_msgsize bytes),
 * every message gets a slot of the maximum size. That wastes space on small messages, but a
 * message never wraps around the end of the buffer and any free slot fits any message.
 *
 * Every word after LOCK, and every slot, is read and written only while holding the mutex in
 * LOCK (see shared-mutex.ts); the words before it are written once, by allocate().
 */
import { ChannelError } from "../channel";

/** Header word: BOUNDED_QUEUE_MAGIC, so attaching to some other buffer fails clearly. */
export const MAGIC = 0;
/** Header word: number of slots, the most messages the queue holds. Fixed at allocation. */
export const CAPACITY = 1;
/** Header word: bytes per slot, the largest message. Fixed at allocation. */
export const MAX_MESSAGE_BYTES = 2;
/** Header word: priorities run from 0 to PRIORITIES - 1. Fixed at allocation. */
export const PRIORITIES = 3;
/** Header word: the mutex guarding everything below (0 free, 1 locked, 2 locked + waiters). */
export const LOCK = 4;
/** Header word: 1 once the queue was closed (by any attachment, in any thread). */
export const CLOSED = 5;
/** Header word: messages held. */
export const COUNT = 6;
/** Header word: the next send's ticket; tickets order messages within one priority. */
export const NEXT_TICKET = 7;
/**
 * Header word: the "not empty" condition, a counter bumped by every send and by close.
 * Receivers wait on it with Atomics.wait/waitAsync: a change means "look again".
 */
export const NOT_EMPTY = 8;
/** Header word: the "not full" condition, bumped by every receive and by close; senders wait. */
export const NOT_FULL = 9;
/** Number of Int32 words in the header. */
export const HEADER_WORDS = 10;

/** Slot table word: the message's length in bytes, or FREE_SLOT. */
export const SLOT_LENGTH = 0;
/** Slot table word: the message's priority. */
export const SLOT_PRIORITY = 1;
/** Slot table word: the message's ticket (NEXT_TICKET when it was sent). */
export const SLOT_TICKET = 2;
/** Int32 words per slot table entry. */
export const SLOT_WORDS = 3;
/** SLOT_LENGTH of a slot that holds no message. */
export const FREE_SLOT = -1;

/** "BQUE": the value in the MAGIC word. */
export const BOUNDED_QUEUE_MAGIC = 0x42515545;

/** Largest capacity allocate() accepts (the slot scan is linear: keep queues small). */
export const MAX_CAPACITY = 65_536;
/** Largest buffer allocate() makes. */
export const MAX_QUEUE_BYTES = 1 << 30;

/** Index of a slot table word in the Int32 view. */
export function slotWord(slot: number, field: number): number {
  return HEADER_WORDS + slot * SLOT_WORDS + field;
}

/** Byte offset of the data area: after the header and the slot table, 8-byte aligned. */
export function dataOffset(capacity: number): number {
  const tableEnd = (HEADER_WORDS + capacity * SLOT_WORDS) * Int32Array.BYTES_PER_ELEMENT;
  return Math.ceil(tableEnd / 8) * 8;
}

/** Total bytes of a queue's buffer. */
export function queueBytes(capacity: number, maxMessageBytes: number): number {
  return dataOffset(capacity) + capacity * maxMessageBytes;
}

/** The sizes of a queue, as given to allocate(). */
export interface QueueGeometry {
  capacity: number;
  maxMessageBytes: number;
  priorities: number;
}

/** Throws `InvalidArgument` for sizes allocate() cannot honour. */
export function checkGeometry({ capacity, maxMessageBytes, priorities }: QueueGeometry): void {
  const bad = (what: string): never => {
    throw new ChannelError("InvalidArgument", `BoundedQueue.allocate: ${what}`);
  };
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY) {
    bad(`capacity must be an integer from 1 to ${MAX_CAPACITY}, got ${capacity}`);
  }
  if (!Number.isInteger(maxMessageBytes) || maxMessageBytes < 0) {
    bad(`maxMessageBytes must be an integer >= 0, got ${maxMessageBytes}`);
  }
  if (!Number.isInteger(priorities) || priorities < 1 || priorities > 2 ** 31 - 1) {
    bad(`priorities must be an integer >= 1, got ${priorities}`);
  }
  const bytes = queueBytes(capacity, maxMessageBytes);
  if (bytes > MAX_QUEUE_BYTES) {
    bad(
      `capacity × maxMessageBytes needs ${bytes} bytes, more than the ${MAX_QUEUE_BYTES} allowed`,
    );
  }
}
