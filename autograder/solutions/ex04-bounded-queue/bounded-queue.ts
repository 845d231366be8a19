/**
 * Reference solution of ex04: a bounded priority queue of byte messages in a
 * SharedArrayBuffer, shared by producer and consumer worker threads, with the rules of a POSIX
 * message queue. One mutex guards the queue; two condition variables say "not empty" (receivers
 * wait on it) and "not full" (senders wait on it). Layout in layout.ts, the mutex and the
 * conditions in shared-lock.ts.
 */
import { ChannelError } from "kernel-lib";
import {
  CAPACITY,
  CLOSED,
  COUNT,
  EX04_QUEUE_MAGIC,
  FREE_SLOT,
  HEADER_WORDS,
  LOCK,
  MAGIC,
  MAX_CAPACITY,
  MAX_MESSAGE_BYTES,
  MAX_QUEUE_BYTES,
  NEXT_TICKET,
  NOT_EMPTY,
  NOT_FULL,
  PRIORITIES,
  queueBytes,
  SLOT_LENGTH,
  SLOT_PRIORITY,
  SLOT_TICKET,
  slotOffset,
  slotWord,
} from "./layout";
import { SharedCondition, SharedMutex } from "./shared-lock";

/** The number of priorities when `allocate()` is given none: POSIX's minimum MQ_PRIO_MAX. */
export const DEFAULT_PRIORITIES = 32;

/** Sizes of a new queue, for {@link BoundedQueue.allocate}. */
export interface QueueOptions {
  /** Most messages held at once, 1 to MAX_CAPACITY; a send to a full queue waits. */
  capacity: number;
  /** Largest message in bytes (0 or more); every slot has this size. */
  maxMessageBytes: number;
  /** Priorities run from 0 to `priorities - 1`. Default {@link DEFAULT_PRIORITIES}. */
  priorities?: number;
}

/** A message taken from the queue, with the priority it was sent with. */
export interface ReceivedMessage {
  message: Uint8Array;
  priority: number;
}

/** Options of {@link BoundedQueue.recvSync}. */
export interface RecvOptions {
  /** Give up after this many milliseconds with `Timeout`. Default: wait without limit. */
  timeoutMs?: number;
}

/** Options of {@link BoundedQueue.sendSync}. */
export interface SendOptions extends RecvOptions {
  /** 0 (the default) to `priorities - 1`; higher priorities are received first. */
  priority?: number;
}

/**
 * A bounded priority queue in a SharedArrayBuffer, attached in any number of worker threads.
 *
 * - Allocation is separate from attachment: `BoundedQueue.allocate()` makes the buffer (on any
 *   thread, usually the main one), `new BoundedQueue(buffer)` attaches in each thread.
 * - Ordering: the highest priority first; within one priority, the message sent first (FIFO),
 *   whichever thread sent it.
 * - Blocking, worker threads only: `sendSync()` waits while the queue is full, `recvSync()`
 *   while it is empty, both by sleeping in Atomics.wait, both up to `timeoutMs` (then
 *   `Timeout`, having sent or taken nothing). `trySend()` and `tryRecv()` never wait for room
 *   or a message: they throw `WouldBlock`. Every call may wait briefly for the lock, which is
 *   only ever held for a copy. The main thread only allocates, attaches and reads `count()`
 *   and `closed`.
 * - Errors (`ChannelError` codes): `MessageTooLarge` over `maxMessageBytes` and
 *   `InvalidArgument` for a priority out of range (both checked first, before any waiting);
 *   `ChannelClosed` after `close()`.
 * - Close: `close()` closes the queue for every thread and wakes every waiter. Sends then fail
 *   with `ChannelClosed`; receives still get the messages already queued, then fail with
 *   `ChannelClosed`. Closing twice is harmless.
 *
 * @example
 * // main thread
 * const buffer = BoundedQueue.allocate({ capacity: 8, maxMessageBytes: 256 });
 * startWorker("producer.ts", { workerData: buffer });
 * // producer.ts (a worker)
 * const queue = new BoundedQueue(workerData as SharedArrayBuffer);
 * queue.sendSync(new TextEncoder().encode("urgent"), { priority: 9, timeoutMs: 1000 });
 * // consumer.ts (another worker)
 * const { message, priority } = queue.recvSync({ timeoutMs: 1000 }); // "urgent", 9
 */
export class BoundedQueue {
  /**
   * Makes the shared memory of a new, empty queue. Never blocks. Pass the buffer to workers
   * (`workerData` or `postMessage`: it is shared, not copied) and attach with
   * `new BoundedQueue(buffer)`. Throws `InvalidArgument` for sizes out of range.
   *
   * @example
   * const buffer = BoundedQueue.allocate({ capacity: 4, maxMessageBytes: 64, priorities: 8 });
   */
  static allocate(options: QueueOptions): SharedArrayBuffer {
    const { capacity, maxMessageBytes } = options;
    const priorities = options.priorities ?? DEFAULT_PRIORITIES;
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
    if (queueBytes(capacity, maxMessageBytes) > MAX_QUEUE_BYTES) {
      bad(`capacity × maxMessageBytes is more than the ${MAX_QUEUE_BYTES} bytes allowed`);
    }
    const buffer = new SharedArrayBuffer(queueBytes(capacity, maxMessageBytes));
    const i32 = new Int32Array(buffer);
    i32[CAPACITY] = capacity;
    i32[MAX_MESSAGE_BYTES] = maxMessageBytes;
    i32[PRIORITIES] = priorities;
    for (let slot = 0; slot < capacity; slot++) i32[slotWord(slot, SLOT_LENGTH)] = FREE_SLOT;
    // The magic goes last, so a buffer is never taken for a queue before it is one.
    Atomics.store(i32, MAGIC, EX04_QUEUE_MAGIC);
    return buffer;
  }

  /** Most messages the queue holds. */
  readonly capacity: number;
  /** Largest message, in bytes. */
  readonly maxMessageBytes: number;
  /** Priorities run from 0 to `priorities - 1`. */
  readonly priorities: number;
  /** The buffer as Int32 words: the header and the slot table (indices in layout.ts). */
  readonly i32: Int32Array;
  /** The buffer as bytes: each message is at `slotOffset(capacity, maxMessageBytes, slot)`. */
  readonly bytes: Uint8Array;
  /** The mutex on the LOCK word: hold it to read or change the queue's state and slots. */
  readonly mutex: SharedMutex;
  /** Receivers wait on it while the queue is empty; every send and close() broadcast it. */
  readonly notEmpty: SharedCondition;
  /** Senders wait on it while the queue is full; every receive and close() broadcast it. */
  readonly notFull: SharedCondition;

  /**
   * Attaches to a queue made by {@link BoundedQueue.allocate}, in this thread. Never blocks.
   * Throws `InvalidArgument` when `buffer` is not such a queue.
   */
  constructor(buffer: SharedArrayBuffer) {
    const invalid = (why: string): never => {
      throw new ChannelError("InvalidArgument", `new BoundedQueue: ${why}`);
    };
    if (Object.prototype.toString.call(buffer) !== "[object SharedArrayBuffer]") {
      invalid("expected the SharedArrayBuffer made by BoundedQueue.allocate()");
    }
    if (buffer.byteLength < HEADER_WORDS * 4) invalid("the buffer is too small");
    this.i32 = new Int32Array(buffer, 0, Math.floor(buffer.byteLength / 4));
    if (Atomics.load(this.i32, MAGIC) !== EX04_QUEUE_MAGIC) {
      invalid("the buffer was not made by BoundedQueue.allocate()");
    }
    this.capacity = this.i32[CAPACITY]!;
    this.maxMessageBytes = this.i32[MAX_MESSAGE_BYTES]!;
    this.priorities = this.i32[PRIORITIES]!;
    if (buffer.byteLength !== queueBytes(this.capacity, this.maxMessageBytes)) {
      invalid("the buffer's size does not match its header");
    }
    this.bytes = new Uint8Array(buffer);
    this.mutex = new SharedMutex(this.i32, LOCK);
    this.notEmpty = new SharedCondition(this.i32, NOT_EMPTY, this.mutex);
    this.notFull = new SharedCondition(this.i32, NOT_FULL, this.mutex);
  }

  /** Messages queued right now, by every thread (a snapshot; never blocks). */
  count(): number {
    return Atomics.load(this.i32, COUNT);
  }

  /** True once the queue was closed, by any thread (never blocks). */
  get closed(): boolean {
    return Atomics.load(this.i32, CLOSED) === 1;
  }

  /**
   * Queues a copy of `message` now, or throws: `WouldBlock` when the queue is full,
   * `ChannelClosed` once it is closed, `MessageTooLarge`, `InvalidArgument` (priority).
   * Never waits for room.
   *
   * @example
   * try { queue.trySend(bytes, 2); } catch (e) { if (isChannelError(e, "WouldBlock")) dropped++; }
   */
  trySend(message: Uint8Array, priority = 0): void {
    this.checkSend(message, priority, "trySend");
    this.mutex.lock();
    try {
      if (this.closed) throw this.closedError("trySend");
      if (this.i32[COUNT] === this.capacity) {
        throw new ChannelError("WouldBlock", `trySend: the queue is full (${this.capacity})`);
      }
      this.put(message, priority);
    } finally {
      this.mutex.unlock();
    }
  }

  /**
   * Takes the highest-priority, oldest message now, or throws: `WouldBlock` when the queue is
   * empty, `ChannelClosed` once it is closed and empty. Never waits for a message.
   *
   * @example
   * const { message, priority } = queue.tryRecv();
   */
  tryRecv(): ReceivedMessage {
    this.mutex.lock();
    try {
      if (this.i32[COUNT]! > 0) return this.take();
      if (this.closed) throw this.closedError("tryRecv");
      throw new ChannelError("WouldBlock", "tryRecv: the queue is empty");
    } finally {
      this.mutex.unlock();
    }
  }

  /**
   * Worker threads only: queues a copy of `message` with `options.priority` (default 0),
   * blocking the thread while the queue is full, up to `options.timeoutMs` (then `Timeout`,
   * nothing sent). Throws `ChannelClosed` once the queue is closed (also when the close wakes
   * it), `MessageTooLarge` and `InvalidArgument` (priority) before waiting at all.
   *
   * @example
   * queue.sendSync(bytes, { priority: 2, timeoutMs: 5000 });
   */
  sendSync(message: Uint8Array, options: SendOptions = {}): void {
    const priority = options.priority ?? 0;
    this.checkSend(message, priority, "sendSync");
    const deadline = deadlineOf(options.timeoutMs);
    this.mutex.lock();
    try {
      // The monitor pattern: re-check after every wake-up, which may be spurious, or another
      // sender may have taken the free slot first.
      while (!this.closed && this.i32[COUNT] === this.capacity) {
        const remaining = deadline - performance.now();
        if (remaining <= 0) throw timeoutError("sendSync", options.timeoutMs);
        this.notFull.wait(remaining);
      }
      if (this.closed) throw this.closedError("sendSync");
      this.put(message, priority);
    } finally {
      this.mutex.unlock();
    }
  }

  /**
   * Worker threads only: takes the highest-priority, oldest message, blocking the thread while
   * the queue is empty, up to `options.timeoutMs` (then `Timeout`, nothing taken). Throws
   * `ChannelClosed` once the queue is closed and empty (also when the close wakes it).
   *
   * @example
   * for (;;) handle(queue.recvSync().message); // ends with ChannelClosed
   */
  recvSync(options: RecvOptions = {}): ReceivedMessage {
    const deadline = deadlineOf(options.timeoutMs);
    this.mutex.lock();
    try {
      while (!this.closed && this.i32[COUNT] === 0) {
        const remaining = deadline - performance.now();
        if (remaining <= 0) throw timeoutError("recvSync", options.timeoutMs);
        this.notEmpty.wait(remaining);
      }
      // A closed queue is drained first: only an empty one reports ChannelClosed.
      if (this.i32[COUNT] === 0) throw this.closedError("recvSync");
      return this.take();
    } finally {
      this.mutex.unlock();
    }
  }

  /**
   * Closes the queue for every thread: wakes every blocked sender (they fail with
   * `ChannelClosed`) and receiver (they drain what is queued, then fail with `ChannelClosed`).
   * Idempotent. Takes the lock: worker threads only, like every call that does.
   *
   * @example
   * queue.close(); // the consumers finish the queued messages, then see ChannelClosed
   */
  close(): void {
    this.mutex.lock();
    try {
      if (this.closed) return;
      Atomics.store(this.i32, CLOSED, 1);
      this.notEmpty.broadcast();
      this.notFull.broadcast();
    } finally {
      this.mutex.unlock();
    }
  }

  // ---- the queue itself: call only while holding the mutex ---------------------------------

  /** Copies `message` into a free slot. The caller checked that the queue is not full. */
  private put(message: Uint8Array, priority: number): void {
    let slot = 0;
    while (this.i32[slotWord(slot, SLOT_LENGTH)] !== FREE_SLOT) slot++;
    this.bytes.set(message, slotOffset(this.capacity, this.maxMessageBytes, slot));
    // Plain reads and writes are safe here: the mutex's atomic operations order them.
    const ticket = this.i32[NEXT_TICKET]!;
    this.i32[NEXT_TICKET] = (ticket + 1) | 0;
    this.i32[slotWord(slot, SLOT_PRIORITY)] = priority;
    this.i32[slotWord(slot, SLOT_TICKET)] = ticket;
    this.i32[slotWord(slot, SLOT_LENGTH)] = message.byteLength;
    this.i32[COUNT]! += 1;
    this.notEmpty.broadcast();
  }

  /** Removes and returns the best message. The caller checked that the queue is not empty. */
  private take(): ReceivedMessage {
    // A linear scan for the highest priority, then the lowest ticket: capacities are small.
    let best = -1;
    let bestPriority = -1;
    let bestTicket = 0;
    for (let slot = 0; slot < this.capacity; slot++) {
      if (this.i32[slotWord(slot, SLOT_LENGTH)] === FREE_SLOT) continue;
      const priority = this.i32[slotWord(slot, SLOT_PRIORITY)]!;
      const ticket = this.i32[slotWord(slot, SLOT_TICKET)]!;
      // Tickets wrap around 2^32: compare by difference, right while the queue holds fewer
      // than 2^31 messages.
      if (
        priority > bestPriority ||
        (priority === bestPriority && ((ticket - bestTicket) | 0) < 0)
      ) {
        best = slot;
        bestPriority = priority;
        bestTicket = ticket;
      }
    }
    const start = slotOffset(this.capacity, this.maxMessageBytes, best);
    const length = this.i32[slotWord(best, SLOT_LENGTH)]!;
    // A copy (slice, not subarray): the slot is reused as soon as it is free.
    const message = this.bytes.slice(start, start + length);
    this.i32[slotWord(best, SLOT_LENGTH)] = FREE_SLOT;
    this.i32[COUNT]! -= 1;
    this.notFull.broadcast();
    return { message, priority: bestPriority };
  }

  // ---- checks and errors ----------------------------------------------------------------------

  private checkSend(message: Uint8Array, priority: number, what: string): void {
    // By tag, not instanceof: arrays from another realm (a test's, a clone) are Uint8Arrays too.
    if (Object.prototype.toString.call(message) !== "[object Uint8Array]") {
      throw new ChannelError("InvalidArgument", `${what}: the message must be a Uint8Array`);
    }
    if (message.byteLength > this.maxMessageBytes) {
      throw new ChannelError(
        "MessageTooLarge",
        `${what}: ${message.byteLength} bytes, the limit is ${this.maxMessageBytes}`,
      );
    }
    if (!Number.isInteger(priority) || priority < 0 || priority >= this.priorities) {
      throw new ChannelError(
        "InvalidArgument",
        `${what}: priority must be an integer from 0 to ${this.priorities - 1}, got ${priority}`,
      );
    }
  }

  private closedError(what: string): ChannelError {
    return new ChannelError("ChannelClosed", `${what}: the queue was closed`);
  }
}

/** The absolute deadline, on the performance.now() clock, of a blocking call's `timeoutMs`. */
function deadlineOf(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined) return Infinity;
  if (!(timeoutMs >= 0)) {
    throw new ChannelError("InvalidArgument", `timeoutMs must be >= 0, got ${timeoutMs}`);
  }
  return performance.now() + timeoutMs;
}

function timeoutError(what: string, timeoutMs: number | undefined): ChannelError {
  return new ChannelError("Timeout", `${what} timed out after ${timeoutMs} ms`);
}
