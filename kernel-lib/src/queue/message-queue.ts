/**
 * What every priority message queue in kernel-lib offers: the kernel's POSIX message queues
 * (`PosixMessageQueue`, src/mqueue/) and the shared-memory `BoundedQueue` (src/queue/) behave
 * the same way, so a notebook can run one experiment over both.
 */
import {
  ChannelError,
  isChannelError,
  type Receiver,
  type Sender,
  type WaitOptions,
} from "../channel";

/** A message taken from a priority queue, with the priority it was sent with. */
export interface QueuedMessage {
  message: Uint8Array;
  priority: number;
}

/** Options of `send()` on a priority queue: the wait options plus the message's priority. */
export interface QueueSendOptions extends WaitOptions {
  /** 0 (lowest, the default) up to the queue's limit; higher priorities are received first. */
  priority?: number;
}

/** The size of a queue and how full it is right now. */
export interface QueueAttributes {
  /** Most messages the queue holds; a send to a full queue waits. */
  capacity: number;
  /** Largest message accepted, in bytes. */
  maxMessageBytes: number;
  /** Messages held right now (by every sender, from every thread or process). */
  count: number;
}

/**
 * A bounded priority queue of byte messages.
 *
 * - Ordering: `recv()` returns the highest-priority message first and, within one priority,
 *   the oldest first (FIFO).
 * - Blocking: `send()` waits while the queue is full, `recv()` while it is empty; both take
 *   `timeoutMs` and `signal` (rejecting with `Timeout`/`Aborted`, having sent or taken
 *   nothing). Pending calls on one queue object are served in call order. `trySend()` and
 *   `tryRecv()` never wait: they fail with `WouldBlock` instead.
 * - Errors: `MessageTooLarge` over `maxMessageBytes`, `InvalidArgument` for a priority out
 *   of range, `ChannelClosed` after `close()`. `close()` is idempotent; what it does to the
 *   other users of the queue depends on the queue (see each class).
 *
 * @example
 * await q.send(bytes, { priority: 5 });
 * const { message, priority } = await q.recv({ timeoutMs: 1000 });
 */
export interface MessageQueue extends Sender<Uint8Array>, Receiver<QueuedMessage> {
  send(message: Uint8Array, options?: QueueSendOptions): Promise<void>;
  /** Sends at once or throws `WouldBlock` (full, or earlier sends of this object still wait). */
  trySend(message: Uint8Array, priority?: number): void;
  /** Takes a message at once or throws `WouldBlock` (empty, or earlier receives still wait). */
  tryRecv(): QueuedMessage;
  /** Capacity, message size limit and the current number of messages. */
  attributes(): QueueAttributes;
  readonly capacity: number;
  readonly maxMessageBytes: number;
}

/** Throws `InvalidArgument` unless `priority` is an integer in `[0, limit)`. */
export function checkPriority(priority: number, limit: number, what: string): void {
  if (!Number.isInteger(priority) || priority < 0 || priority >= limit) {
    throw new ChannelError(
      "InvalidArgument",
      `${what}: priority must be an integer from 0 to ${limit - 1}, got ${priority}`,
    );
  }
}

/**
 * Throws `InvalidArgument` unless `message` is a Uint8Array (a Buffer is one). Checked by its
 * tag, not `instanceof`, so arrays from another realm (Jest, a worker's clone) pass.
 */
export function checkBytes(message: unknown, what: string): asserts message is Uint8Array {
  if (
    !ArrayBuffer.isView(message) ||
    Object.prototype.toString.call(message) !== "[object Uint8Array]"
  ) {
    throw new ChannelError("InvalidArgument", `${what}: the message must be a Uint8Array`);
  }
}

/**
 * Async iteration over a queue's `recv()`: yields each message and ends (without error) when
 * `recv()` rejects with `ChannelClosed`; any other error is thrown to the loop.
 */
export function iterateUntilClosed<T>(recv: () => Promise<T>): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    next: () =>
      recv().then(
        (value) => ({ value, done: false }),
        (err: unknown) => {
          if (isChannelError(err, "ChannelClosed")) return { value: undefined, done: true };
          throw err;
        },
      ),
    return: async () => ({ value: undefined, done: true }),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
