/**
 * BoundedQueue: a bounded priority queue of byte messages in shared memory, between the
 * threads of one process. It is the shared-memory twin of a POSIX message queue (same
 * capacity, size limit, priorities and blocking rules) and the reference for exercise ex04:
 * one mutex guards the queue, and two condition variables say "not empty" and "not full".
 *
 * Allocation is separate from attachment (as in ringbuf.js): `BoundedQueue.allocate()` makes
 * the SharedArrayBuffer, `new BoundedQueue(buffer)` attaches to it in each thread. The layout
 * is in layout.ts, the mutex and conditions in shared-mutex.ts.
 */
import { isMainThread, threadId } from "node:worker_threads";
import { ChannelError, type WaitOptions } from "../channel";
import { waitWith } from "../internal/wait";
import { track } from "../resources";
import { assertMayBlock } from "./atomics-wait";
import {
  BOUNDED_QUEUE_MAGIC,
  CAPACITY,
  checkGeometry,
  CLOSED,
  COUNT,
  dataOffset,
  FREE_SLOT,
  HEADER_WORDS,
  LOCK,
  MAGIC,
  MAX_MESSAGE_BYTES,
  NEXT_TICKET,
  NOT_EMPTY,
  NOT_FULL,
  PRIORITIES,
  queueBytes,
  SLOT_LENGTH,
  SLOT_PRIORITY,
  SLOT_TICKET,
  slotWord,
} from "./layout";
import {
  checkBytes,
  checkPriority,
  iterateUntilClosed,
  type MessageQueue,
  type QueueAttributes,
  type QueuedMessage,
  type QueueSendOptions,
} from "./message-queue";
import { SharedCondition, SharedMutex } from "./shared-mutex";

/** Sizes of a new queue, for {@link BoundedQueue.allocate}. */
export interface BoundedQueueOptions {
  /** Most messages held at once (1 to 65536); a send to a full queue waits. */
  capacity: number;
  /** Largest message in bytes; every slot has this size. */
  maxMessageBytes: number;
  /** Number of priorities, 0 to `priorities - 1`. Default 32 (POSIX's minimum MQ_PRIO_MAX). */
  priorities?: number;
}

/** Options of the blocking calls: a timeout only, since a blocked thread runs no event loop. */
export interface BlockingWaitOptions {
  /** Give up after this many milliseconds with `Timeout`. Default: wait without limit. */
  timeoutMs?: number;
}

/** Options of {@link BoundedQueue.sendSync}. */
export interface BlockingSendOptions extends BlockingWaitOptions {
  /** 0 (the default) to `priorities - 1`; higher is received first. */
  priority?: number;
}

/** The default number of priorities: POSIX guarantees at least 32 for message queues. */
export const DEFAULT_QUEUE_PRIORITIES = 32;

/**
 * How long one Atomics.waitAsync of a waiting call may last before it looks again. Waits end
 * early on every change anyway; the slice only bounds how long the wait of a call that gave
 * up (timeout, abort) lingers in V8, where it holds the buffer until woken.
 */
const WAIT_SLICE_MS = 1000;

/** How many times trySend/tryRecv on the main thread try a busy lock before `WouldBlock`. */
const TRY_LOCK_SPINS = 1000;

interface PendingSend {
  message: Uint8Array;
  priority: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface PendingRecv {
  resolve: (message: QueuedMessage) => void;
  reject: (err: unknown) => void;
}

/**
 * The async calls of one direction (sends or receives) waiting on this attachment, in call
 * order, and the loop that serves them (see `serve`).
 */
interface WaitingSide<W> {
  /** "sends" or "receives", for leak reports. */
  readonly name: string;
  readonly pending: W[];
  /** The condition these calls wait for: NOT_FULL for sends, NOT_EMPTY for receives. */
  readonly condition: SharedCondition;
  /** True while `serve` runs for this side. */
  serving: boolean;
  /** Wakes the serving loop early (a call gave up or the attachment closed). */
  interrupt?: () => void;
}

/**
 * A bounded priority queue in a SharedArrayBuffer, attached in any number of threads.
 *
 * - Ordering: highest priority first, FIFO within a priority (across all threads: the order
 *   in which sends entered the queue). Pending async calls of one attachment are served in
 *   call order.
 * - Blocking: `send()` waits while full, `recv()` while empty, as promises that never block
 *   the thread (Atomics.waitAsync): the only form for the main thread. Workers may also use
 *   `sendSync()`/`recvSync()`, which block the thread with Atomics.wait (with `timeoutMs`);
 *   on the main thread these throw `Unsupported`. `trySend()`/`tryRecv()` never wait for
 *   room or a message: they throw `WouldBlock` (also, on the main thread, when another thread
 *   holds the lock for longer than a short spin).
 * - Close: `close()` closes the queue for every attachment, in every thread: waiting and later
 *   sends fail with `ChannelClosed`; receivers still get the messages already queued, then
 *   `ChannelClosed` (waiting receivers of an empty queue are woken and fail at once), and
 *   iteration ends. The attachment that called `close()` fails its own pending and later calls
 *   at once. Idempotent.
 * - Resources: an attachment holds no OS resource, only memory, so a thread that is done with
 *   the queue just drops it (closing would close the queue for everyone). While async calls
 *   wait, the attachment is listed by `liveResources()`, and `closeAll()` closes the queue.
 *
 * @example
 * const buffer = BoundedQueue.allocate({ capacity: 8, maxMessageBytes: 256 });
 * const worker = startWorker("consumer.ts", { workerData: buffer }); // new BoundedQueue(workerData)
 * const q = new BoundedQueue(buffer);
 * await q.send(new TextEncoder().encode("urgent"), { priority: 9 });
 * await q.close(); // the consumer drains what is queued, then sees ChannelClosed
 */
export class BoundedQueue implements MessageQueue {
  /**
   * Makes the shared memory of a new, empty queue. Pass the buffer to other threads
   * (`workerData` or `postMessage`: it is shared, not copied) and attach with `new BoundedQueue`.
   * Throws `InvalidArgument` for sizes out of range.
   */
  static allocate(options: BoundedQueueOptions): SharedArrayBuffer {
    const geometry = {
      capacity: options.capacity,
      maxMessageBytes: options.maxMessageBytes,
      priorities: options.priorities ?? DEFAULT_QUEUE_PRIORITIES,
    };
    checkGeometry(geometry);
    const buffer = new SharedArrayBuffer(queueBytes(geometry.capacity, geometry.maxMessageBytes));
    const i32 = new Int32Array(buffer);
    i32[CAPACITY] = geometry.capacity;
    i32[MAX_MESSAGE_BYTES] = geometry.maxMessageBytes;
    i32[PRIORITIES] = geometry.priorities;
    for (let slot = 0; slot < geometry.capacity; slot++) {
      i32[slotWord(slot, SLOT_LENGTH)] = FREE_SLOT;
    }
    // The magic goes last, so a buffer is never taken for a queue before it is one.
    Atomics.store(i32, MAGIC, BOUNDED_QUEUE_MAGIC);
    return buffer;
  }

  readonly capacity: number;
  readonly maxMessageBytes: number;
  /** Priorities run from 0 to `priorities - 1`. */
  readonly priorities: number;

  private readonly i32: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly data: number;
  private readonly mutex: SharedMutex;
  private readonly notEmpty: SharedCondition;
  private readonly notFull: SharedCondition;
  private readonly label: string;
  private closedHere = false;
  private readonly sends: WaitingSide<PendingSend>;
  private readonly receives: WaitingSide<PendingRecv>;

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
    if (buffer.byteLength < HEADER_WORDS * 4 || buffer.byteLength % 4 !== 0) {
      invalid("the buffer is too small, or not a whole number of Int32 words");
    }
    this.i32 = new Int32Array(buffer);
    if (Atomics.load(this.i32, MAGIC) !== BOUNDED_QUEUE_MAGIC) {
      invalid("the buffer was not made by BoundedQueue.allocate()");
    }
    this.capacity = this.i32[CAPACITY]!;
    this.maxMessageBytes = this.i32[MAX_MESSAGE_BYTES]!;
    this.priorities = this.i32[PRIORITIES]!;
    if (buffer.byteLength !== queueBytes(this.capacity, this.maxMessageBytes)) {
      invalid("the buffer's size does not match its header");
    }
    this.bytes = new Uint8Array(buffer);
    this.data = dataOffset(this.capacity);
    this.mutex = new SharedMutex(this.i32, LOCK);
    this.notEmpty = new SharedCondition(this.i32, NOT_EMPTY, this.mutex);
    this.notFull = new SharedCondition(this.i32, NOT_FULL, this.mutex);
    this.sends = { name: "sends", pending: [], condition: this.notFull, serving: false };
    this.receives = { name: "receives", pending: [], condition: this.notEmpty, serving: false };
    this.label = `bounded queue (capacity ${this.capacity}, ${this.maxMessageBytes} B) in thread ${threadId}`;
  }

  /** True once this attachment was closed, or the queue was closed and every message read. */
  get closed(): boolean {
    return this.closedHere || (this.queueClosed() && Atomics.load(this.i32, COUNT) === 0);
  }

  /** Capacity, size limit and the number of messages queued right now (by every thread). */
  attributes(): QueueAttributes {
    return {
      capacity: this.capacity,
      maxMessageBytes: this.maxMessageBytes,
      count: Atomics.load(this.i32, COUNT),
    };
  }

  /**
   * Queues `message` (copied) with `options.priority` (default 0). Waits while the queue is
   * full, without blocking the thread. Rejects with `ChannelClosed` once the queue is closed,
   * `MessageTooLarge`, `InvalidArgument` (priority), `Timeout`/`Aborted` (nothing was sent).
   *
   * @example
   * await q.send(bytes, { priority: 3, timeoutMs: 1000 });
   */
  send(message: Uint8Array, options: QueueSendOptions = {}): Promise<void> {
    const priority = options.priority ?? 0;
    try {
      this.checkSend(message, priority, "send");
    } catch (err) {
      return Promise.reject(err);
    }
    // Fast path, only when no earlier send of this attachment waits: it must not overtake.
    if (this.sends.pending.length === 0 && this.mutex.tryLock()) {
      try {
        if (this.queueClosed()) return Promise.reject(this.closedError());
        if (Atomics.load(this.i32, COUNT) < this.capacity) {
          this.putLocked(message, priority);
          return Promise.resolve();
        }
      } finally {
        this.mutex.unlock();
      }
    }
    // Copied now: the caller may reuse its array while the send waits.
    const copy = message.slice();
    return waitWith<void>(`send on ${this.label}`, options, (resolve, reject) => {
      const pending: PendingSend = { message: copy, priority, resolve, reject };
      this.sends.pending.push(pending);
      void this.serve(this.sends, () => this.stepSend());
      return () => this.forget(this.sends, pending);
    });
  }

  /**
   * Resolves with the highest-priority, oldest message, waiting while the queue is empty
   * (without blocking the thread). Rejects with `ChannelClosed` once the queue is closed and
   * empty, `Timeout`/`Aborted` (nothing was taken).
   *
   * @example
   * const { message, priority } = await q.recv({ timeoutMs: 1000 });
   */
  recv(options?: WaitOptions): Promise<QueuedMessage> {
    if (this.closedHere) return Promise.reject(this.closedError());
    if (this.receives.pending.length === 0 && this.mutex.tryLock()) {
      try {
        if (Atomics.load(this.i32, COUNT) > 0) return Promise.resolve(this.takeLocked());
        if (this.queueClosed()) return Promise.reject(this.closedError());
      } finally {
        this.mutex.unlock();
      }
    }
    return waitWith<QueuedMessage>(`recv on ${this.label}`, options, (resolve, reject) => {
      const pending: PendingRecv = { resolve, reject };
      this.receives.pending.push(pending);
      void this.serve(this.receives, () => this.stepRecv());
      return () => this.forget(this.receives, pending);
    });
  }

  /**
   * Queues `message` now or throws: `WouldBlock` when the queue is full (or earlier sends of
   * this attachment still wait, or on the main thread the lock stays busy), `ChannelClosed`,
   * `MessageTooLarge`, `InvalidArgument`. Never waits for room.
   *
   * @example
   * try { q.trySend(bytes, 1); } catch (e) { if (isChannelError(e, "WouldBlock")) dropped++; }
   */
  trySend(message: Uint8Array, priority = 0): void {
    this.checkSend(message, priority, "trySend");
    if (this.sends.pending.length > 0) {
      throw this.wouldBlock("trySend", "earlier sends on this attachment are still waiting");
    }
    this.lockWithoutWaiting("trySend");
    try {
      if (this.queueClosed()) throw this.closedError();
      if (Atomics.load(this.i32, COUNT) === this.capacity) {
        throw this.wouldBlock("trySend", `the queue is full (${this.capacity} messages)`);
      }
      this.putLocked(message, priority);
    } finally {
      this.mutex.unlock();
    }
  }

  /**
   * Takes the highest-priority, oldest message now or throws: `WouldBlock` when the queue is
   * empty (or earlier receives of this attachment still wait, or on the main thread the lock
   * stays busy), `ChannelClosed` once closed and empty. Never waits for a message.
   *
   * @example
   * const next = q.attributes().count > 0 ? q.tryRecv() : undefined;
   */
  tryRecv(): QueuedMessage {
    if (this.closedHere) throw this.closedError();
    if (this.receives.pending.length > 0) {
      throw this.wouldBlock("tryRecv", "earlier receives on this attachment are still waiting");
    }
    this.lockWithoutWaiting("tryRecv");
    try {
      if (Atomics.load(this.i32, COUNT) > 0) return this.takeLocked();
      if (this.queueClosed()) throw this.closedError();
      throw this.wouldBlock("tryRecv", "the queue is empty");
    } finally {
      this.mutex.unlock();
    }
  }

  /**
   * Worker threads only: queues `message`, blocking the thread while the queue is full, up to
   * `options.timeoutMs` (`Timeout`, nothing sent). Throws `ChannelClosed` once the queue is
   * closed (also when that wakes it), `MessageTooLarge`, `InvalidArgument`, and `Unsupported`
   * on the main thread.
   *
   * @example
   * q.sendSync(bytes, { priority: 2, timeoutMs: 5000 }); // in a worker
   */
  sendSync(message: Uint8Array, options: BlockingSendOptions = {}): void {
    assertMayBlock("BoundedQueue.sendSync");
    const priority = options.priority ?? 0;
    this.checkSend(message, priority, "sendSync");
    const deadline = deadlineOf(options.timeoutMs, "sendSync");
    this.mutex.lock();
    try {
      // The monitor pattern: re-check after every wake-up (it may be spurious, or another
      // sender may have taken the free slot first).
      while (!this.queueClosed() && Atomics.load(this.i32, COUNT) === this.capacity) {
        const remaining = deadline - performance.now();
        if (remaining <= 0) throw this.timeout("sendSync", options.timeoutMs);
        this.notFull.wait(remaining);
      }
      if (this.queueClosed()) throw this.closedError();
      this.putLocked(message, priority);
    } finally {
      this.mutex.unlock();
    }
  }

  /**
   * Worker threads only: takes the highest-priority, oldest message, blocking the thread while
   * the queue is empty, up to `options.timeoutMs` (`Timeout`). Throws `ChannelClosed` once
   * the queue is closed and empty (also when that wakes it), `Unsupported` on the main thread.
   *
   * @example
   * for (;;) handle(q.recvSync().message); // in a worker; ends with ChannelClosed
   */
  recvSync(options: BlockingWaitOptions = {}): QueuedMessage {
    assertMayBlock("BoundedQueue.recvSync");
    if (this.closedHere) throw this.closedError();
    const deadline = deadlineOf(options.timeoutMs, "recvSync");
    this.mutex.lock();
    try {
      while (!this.queueClosed() && Atomics.load(this.i32, COUNT) === 0) {
        const remaining = deadline - performance.now();
        if (remaining <= 0) throw this.timeout("recvSync", options.timeoutMs);
        this.notEmpty.wait(remaining);
      }
      // Closed queues are drained first: only an empty one reports ChannelClosed.
      if (Atomics.load(this.i32, COUNT) === 0) throw this.closedError();
      return this.takeLocked();
    } finally {
      this.mutex.unlock();
    }
  }

  /**
   * Closes the queue for every attachment (see the class comment) and releases this one:
   * its pending calls reject with `ChannelClosed` at once. Idempotent; never blocks the thread.
   */
  async close(): Promise<void> {
    if (this.closedHere) return;
    this.closedHere = true;
    for (const pending of this.sends.pending.splice(0)) pending.reject(this.closedError());
    for (const pending of this.receives.pending.splice(0)) pending.reject(this.closedError());
    this.sends.interrupt?.();
    this.receives.interrupt?.();
    if (!this.mutex.tryLock()) await this.mutex.lockAsync();
    try {
      if (!this.queueClosed()) {
        Atomics.store(this.i32, CLOSED, 1);
        // Every waiter in every thread re-checks and finds the queue closed.
        this.notEmpty.broadcast();
        this.notFull.broadcast();
      }
    } finally {
      this.mutex.unlock();
    }
  }

  /** Yields every message (as `recv()` does) until the queue is closed and drained. */
  [Symbol.asyncIterator](): AsyncIterableIterator<QueuedMessage> {
    return iterateUntilClosed(() => this.recv());
  }

  // ---- the queue itself: call only while holding the mutex --------------------------------

  /** Copies `message` into a free slot. The caller checked that the queue is not full. */
  private putLocked(message: Uint8Array, priority: number): void {
    const slot = this.findFreeSlot();
    this.bytes.set(message, this.data + slot * this.maxMessageBytes);
    // Plain reads and writes are safe here: the mutex's atomic operations order them.
    const ticket = this.i32[NEXT_TICKET]!;
    this.i32[NEXT_TICKET] = (ticket + 1) | 0;
    this.i32[slotWord(slot, SLOT_LENGTH)] = message.byteLength;
    this.i32[slotWord(slot, SLOT_PRIORITY)] = priority;
    this.i32[slotWord(slot, SLOT_TICKET)] = ticket;
    Atomics.add(this.i32, COUNT, 1);
    this.notEmpty.broadcast();
  }

  /** Removes and returns the best message. The caller checked that the queue is not empty. */
  private takeLocked(): QueuedMessage {
    // A linear scan for the highest priority, then the lowest ticket: capacities are small
    // (POSIX's default is 10); a heap would make this O(log n) at the cost of clarity.
    let best = -1;
    let bestPriority = -1;
    let bestTicket = 0;
    for (let slot = 0; slot < this.capacity; slot++) {
      if (this.i32[slotWord(slot, SLOT_LENGTH)] === FREE_SLOT) continue;
      const priority = this.i32[slotWord(slot, SLOT_PRIORITY)]!;
      const ticket = this.i32[slotWord(slot, SLOT_TICKET)]!;
      // Tickets wrap around 2^31: compare by difference, which is right while fewer than
      // 2^31 messages are queued (capacity is at most 65536).
      if (
        priority > bestPriority ||
        (priority === bestPriority && ((ticket - bestTicket) | 0) < 0)
      ) {
        best = slot;
        bestPriority = priority;
        bestTicket = ticket;
      }
    }
    const length = this.i32[slotWord(best, SLOT_LENGTH)]!;
    const start = this.data + best * this.maxMessageBytes;
    // A copy: the slot is reused as soon as it is free.
    const message = this.bytes.slice(start, start + length);
    this.i32[slotWord(best, SLOT_LENGTH)] = FREE_SLOT;
    Atomics.sub(this.i32, COUNT, 1);
    this.notFull.broadcast();
    return { message, priority: bestPriority };
  }

  private findFreeSlot(): number {
    for (let slot = 0; slot < this.capacity; slot++) {
      if (this.i32[slotWord(slot, SLOT_LENGTH)] === FREE_SLOT) return slot;
    }
    throw new Error(`${this.label}: no free slot although COUNT < capacity (corrupt queue)`);
  }

  private queueClosed(): boolean {
    return Atomics.load(this.i32, CLOSED) === 1;
  }

  // ---- waiting without blocking -------------------------------------------------------------

  /**
   * Serves the pending async calls of one side in call order, until none is left: under the
   * mutex, `step` serves (or fails) the oldest call if the queue allows it, else the loop
   * waits on the side's condition. One loop per side and attachment, so a later call never
   * overtakes an earlier one.
   */
  private async serve<W>(side: WaitingSide<W>, step: () => boolean): Promise<void> {
    if (side.serving) return;
    side.serving = true;
    // Atomics.waitAsync does not keep Node's event loop alive: without this timer a worker
    // or script whose only work is `await q.recv()` would exit in the middle of the wait.
    const keepAlive = setInterval(() => {}, 2 ** 30);
    // Waiting calls are this attachment's only live resource (the rest is memory), so that
    // is what liveResources() lists and closeAll() ends, by closing the queue.
    const untrack = track({
      label: `${this.label}: ${side.name} waiting`,
      close: () => this.close(),
    });
    try {
      for (;;) {
        // Taken synchronously when free and released before this loop awaits anything, so
        // the other calls of this thread (close() above all) normally find it free.
        if (!this.mutex.tryLock()) await this.mutex.lockAsync();
        let generation: number;
        try {
          // Serve as many calls as the queue allows right now, oldest first.
          let progress = true;
          while (side.pending.length > 0 && progress) progress = step();
          if (side.pending.length === 0) return;
          // Read under the lock, so a change made after our check moves the word on and the
          // wait below returns at once: no lost wake-up.
          generation = side.condition.generation();
        } finally {
          this.mutex.unlock();
        }
        const interrupted = new Promise<void>((resolve) => (side.interrupt = resolve));
        await side.condition.waitAsync(generation, WAIT_SLICE_MS, interrupted);
        delete side.interrupt;
      }
    } finally {
      untrack();
      clearInterval(keepAlive);
      side.serving = false;
    }
  }

  /** One step for the oldest pending send; false when it must wait for room. */
  private stepSend(): boolean {
    const head = this.sends.pending[0];
    if (!head) return true;
    if (this.queueClosed()) {
      for (const pending of this.sends.pending.splice(0)) pending.reject(this.closedError());
      return true;
    }
    if (Atomics.load(this.i32, COUNT) === this.capacity) return false;
    this.putLocked(head.message, head.priority);
    this.sends.pending.shift();
    head.resolve();
    return true;
  }

  /** One step for the oldest pending receive; false when it must wait for a message. */
  private stepRecv(): boolean {
    const head = this.receives.pending[0];
    if (!head) return true;
    if (Atomics.load(this.i32, COUNT) > 0) {
      this.receives.pending.shift();
      head.resolve(this.takeLocked());
      return true;
    }
    if (this.queueClosed()) {
      for (const pending of this.receives.pending.splice(0)) pending.reject(this.closedError());
      return true;
    }
    return false;
  }

  /** A call gave up (timeout, abort): drop it and let the serving loop re-check. */
  private forget<W>(side: WaitingSide<W>, pending: W): void {
    const i = side.pending.indexOf(pending);
    if (i >= 0) side.pending.splice(i, 1);
    side.interrupt?.();
  }

  /**
   * Takes the lock for a try- call. Workers may block on it (it is held only for a copy);
   * the main thread only spins briefly, then reports `WouldBlock`.
   */
  private lockWithoutWaiting(what: string): void {
    if (!isMainThread) {
      this.mutex.lock();
      return;
    }
    for (let i = 0; i < TRY_LOCK_SPINS; i++) if (this.mutex.tryLock()) return;
    throw this.wouldBlock(what, "another thread holds the queue's lock");
  }

  // ---- checks and errors --------------------------------------------------------------------

  private checkSend(message: Uint8Array, priority: number, what: string): void {
    if (this.closedHere) throw this.closedError();
    checkBytes(message, `${what} on ${this.label}`);
    if (message.byteLength > this.maxMessageBytes) {
      throw new ChannelError(
        "MessageTooLarge",
        `${what} on ${this.label}: ${message.byteLength} bytes, the limit is ${this.maxMessageBytes}`,
      );
    }
    checkPriority(priority, this.priorities, `${what} on ${this.label}`);
  }

  private closedError(): ChannelError {
    return new ChannelError("ChannelClosed", `${this.label} was closed`);
  }

  private wouldBlock(what: string, why: string): ChannelError {
    return new ChannelError("WouldBlock", `${what} on ${this.label}: ${why}`);
  }

  private timeout(what: string, timeoutMs: number | undefined): ChannelError {
    return new ChannelError("Timeout", `${what} on ${this.label} timed out after ${timeoutMs} ms`);
  }
}

/** The absolute deadline (performance.now() clock) of a blocking call's `timeoutMs`. */
function deadlineOf(timeoutMs: number | undefined, what: string): number {
  if (timeoutMs === undefined) return Infinity;
  if (!(timeoutMs >= 0 && Number.isFinite(timeoutMs))) {
    throw new ChannelError("InvalidArgument", `${what}: timeoutMs must be >= 0, got ${timeoutMs}`);
  }
  return performance.now() + timeoutMs;
}
