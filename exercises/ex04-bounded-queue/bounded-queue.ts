/**
 * Exercise ex04: a bounded priority queue in shared memory. Complete the methods marked TODO;
 * see README.md in this folder. The layout is in layout.ts (given); the mutex and the
 * condition variables you build in shared-lock.ts.
 *
 * Allocation, attaching, `count()` and `closed` are given. Do not import kernel-lib's
 * BoundedQueue or its internals: the grader checks that the queue and its locking are yours.
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
  NOT_EMPTY,
  NOT_FULL,
  PRIORITIES,
  queueBytes,
  SLOT_LENGTH,
  slotWord,
} from "./layout";
// Also in ./layout, for your methods: NEXT_TICKET, SLOT_PRIORITY, SLOT_TICKET, slotOffset.
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
    // TODO: check the message (MessageTooLarge) and the priority (InvalidArgument) first.
    // TODO: under the mutex: closed -> ChannelClosed; full -> WouldBlock; else put it in a free
    //       slot with the next ticket, count it, and wake the receivers (notEmpty.broadcast()).
    throw new Error(`TODO: ex04 trySend (byteLength ${message.byteLength}, priority ${priority})`);
  }

  /**
   * Takes the highest-priority, oldest message now, or throws: `WouldBlock` when the queue is
   * empty, `ChannelClosed` once it is closed and empty. Never waits for a message.
   *
   * @example
   * const { message, priority } = queue.tryRecv();
   */
  tryRecv(): ReceivedMessage {
    // TODO: under the mutex: a message queued -> take the best one (highest priority, then
    //       lowest ticket), free its slot, wake the senders (notFull.broadcast()) and return a
    //       copy; else closed -> ChannelClosed; else WouldBlock.
    throw new Error("TODO: ex04 tryRecv");
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
    // TODO: as trySend, but while the queue is full (and not closed) wait on notFull with the
    //       time left until the deadline; none left -> Timeout. Re-check after every wake-up.
    throw new Error(
      `TODO: ex04 sendSync (byteLength ${message.byteLength}, options ${JSON.stringify(options)})`,
    );
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
    // TODO: as tryRecv, but while the queue is empty (and not closed) wait on notEmpty with the
    //       time left until the deadline; none left -> Timeout. Re-check after every wake-up.
    throw new Error(`TODO: ex04 recvSync (options ${JSON.stringify(options)})`);
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
    // TODO: under the mutex: set CLOSED (once) and wake every waiter on both conditions.
    throw new Error("TODO: ex04 close");
  }
}
