/**
 * Exercise ex04 (bounded queue), given: where everything lives in the queue's
 * SharedArrayBuffer. You do not need to change this file; `bounded-queue.ts` uses it.
 *
 * One SharedArrayBuffer holds, in order:
 *
 *   header      HEADER_WORDS Int32 words (the indices below)
 *   slot table  `capacity` entries of SLOT_WORDS Int32 words: which slots hold a message
 *   data        `capacity` slots of `maxMessageBytes` bytes, starting 8-byte aligned
 *
 * ```
 * Int32 words:  0 MAGIC  1 CAPACITY  2 MAX_MESSAGE_BYTES  3 PRIORITIES            (fixed)
 *               4 LOCK  5 CLOSED  6 COUNT  7 NEXT_TICKET  8 NOT_EMPTY  9 NOT_FULL (under LOCK)
 *              10 slot 0: LENGTH PRIORITY TICKET | 13 slot 1: LENGTH PRIORITY TICKET | ...
 * bytes from dataOffset(capacity):
 *                 slot 0: maxMessageBytes bytes | slot 1: maxMessageBytes bytes | ...
 * ```
 *
 * Fixed-size slots, like a POSIX queue (mq_maxmsg slots of mq_msgsize bytes): every message
 * gets a slot of the maximum size, so a message never wraps around the end of the buffer and
 * any free slot fits any message.
 *
 * MAGIC, CAPACITY, MAX_MESSAGE_BYTES and PRIORITIES are written once, by `allocate()`. Every
 * other word, and every slot, is changed only while holding the lock in LOCK (`count()` and
 * `closed` may read a snapshot of COUNT and CLOSED with Atomics.load, without the lock).
 */

/** Header word: EX04_QUEUE_MAGIC, so attaching to some other buffer fails clearly. */
export const MAGIC = 0;
/** Header word: number of slots, the most messages the queue holds. Fixed at allocation. */
export const CAPACITY = 1;
/** Header word: bytes per slot, the largest message. Fixed at allocation. */
export const MAX_MESSAGE_BYTES = 2;
/** Header word: priorities run from 0 to PRIORITIES - 1. Fixed at allocation. */
export const PRIORITIES = 3;
/** Header word: the mutex guarding everything below (0 when free; see shared-lock.ts). */
export const LOCK = 4;
/** Header word: 1 once the queue was closed (by any thread), else 0. */
export const CLOSED = 5;
/** Header word: messages held right now. */
export const COUNT = 6;
/**
 * Header word: the next send's ticket. Every send stores the ticket in its slot and adds 1:
 * among messages of one priority, the lowest ticket was sent first (FIFO).
 */
export const NEXT_TICKET = 7;
/** Header word: the "not empty" condition variable, on which receivers wait. */
export const NOT_EMPTY = 8;
/** Header word: the "not full" condition variable, on which senders wait. */
export const NOT_FULL = 9;
/** Number of Int32 words in the header. */
export const HEADER_WORDS = 10;

/** Slot table word: the message's length in bytes, or FREE_SLOT when the slot is free. */
export const SLOT_LENGTH = 0;
/** Slot table word: the message's priority. */
export const SLOT_PRIORITY = 1;
/** Slot table word: the message's ticket (the NEXT_TICKET value when it was sent). */
export const SLOT_TICKET = 2;
/** Int32 words per slot table entry. */
export const SLOT_WORDS = 3;
/** SLOT_LENGTH of a slot that holds no message. */
export const FREE_SLOT = -1;

/** "EX04": the value in the MAGIC word. */
export const EX04_QUEUE_MAGIC = 0x45583034;

/** Largest capacity `allocate()` accepts (finding a slot is a linear scan: keep queues small). */
export const MAX_CAPACITY = 4096;
/** Largest buffer `allocate()` makes. */
export const MAX_QUEUE_BYTES = 1 << 28;

/**
 * Index, in the Int32Array view, of `field` (SLOT_LENGTH, SLOT_PRIORITY or SLOT_TICKET) of
 * slot `slot`.
 *
 * @example
 * i32[slotWord(3, SLOT_LENGTH)] = FREE_SLOT; // slot 3 is free
 */
export function slotWord(slot: number, field: number): number {
  return HEADER_WORDS + slot * SLOT_WORDS + field;
}

/** Byte offset of the data area: after the header and the slot table, 8-byte aligned. */
export function dataOffset(capacity: number): number {
  const tableEnd = (HEADER_WORDS + capacity * SLOT_WORDS) * Int32Array.BYTES_PER_ELEMENT;
  return Math.ceil(tableEnd / 8) * 8;
}

/**
 * Byte offset of the first byte of slot `slot`'s message.
 *
 * @example
 * bytes.set(message, slotOffset(capacity, maxMessageBytes, slot));
 */
export function slotOffset(capacity: number, maxMessageBytes: number, slot: number): number {
  return dataOffset(capacity) + slot * maxMessageBytes;
}

/** Total bytes of a queue's buffer. */
export function queueBytes(capacity: number, maxMessageBytes: number): number {
  return dataOffset(capacity) + capacity * maxMessageBytes;
}
