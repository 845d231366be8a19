import { ChannelError, type WaitOptions } from "../channel";
import { waitWith } from "./wait";

interface Waiter<T> {
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

/**
 * The receiving half shared by every transport: messages that arrived but were not yet read,
 * and the `recv()` calls waiting for one, served in call order. A transport pushes what it
 * decodes and calls `end()` at end-of-stream or `fail()` on a broken stream.
 */
export class Inbox<T> {
  private readonly messages: T[] = [];
  private readonly weights: number[] = [];
  private head = 0;
  private held = 0;
  private readonly waiters: Waiter<T>[] = [];
  private endError: ChannelError | undefined;

  /**
   * `onTake` runs after a held message is taken by a receive: the transport uses it to resume
   * reading once the backlog shrinks. It must run on every path that takes (recv and
   * iteration alike), or a paused stream would never resume.
   */
  constructor(
    private readonly label: string,
    private readonly onTake: () => void = () => {},
  ) {}

  /** Number of messages held and not yet read. */
  get size(): number {
    return this.messages.length - this.head;
  }

  /** True once ended (or failed) and every held message was read. */
  get drained(): boolean {
    return this.endError !== undefined && this.size === 0;
  }

  get ended(): boolean {
    return this.endError !== undefined;
  }

  /** Bytes held by unread messages, as weighed by the transport in `push`. */
  get heldBytes(): number {
    return this.held;
  }

  /** Delivers to the oldest waiting receive, or holds the message; `bytes` weighs it. */
  push(message: T, bytes = 0): void {
    if (this.endError) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.resolve(message);
      return;
    }
    this.messages.push(message);
    this.weights.push(bytes);
    this.held += bytes;
  }

  /** End-of-stream: held messages are still delivered, then receives fail with `err`. */
  end(err?: ChannelError): void {
    if (this.endError) return;
    this.endError = err ?? new ChannelError("ChannelClosed", `${this.label} reached end of stream`);
    for (const w of this.waiters.splice(0)) w.reject(this.endError);
  }

  /** Local close: drop held messages too, so later receives fail at once. */
  close(err?: ChannelError): void {
    this.end(err ?? new ChannelError("ChannelClosed", `${this.label} was closed`));
    this.messages.length = 0;
    this.weights.length = 0;
    this.head = 0;
    this.held = 0;
  }

  /** Removes and returns the oldest held message; only call when `size > 0`. */
  private take(): T {
    const message = this.messages[this.head] as T;
    this.held -= this.weights[this.head] ?? 0;
    this.head++;
    // Compact now and then so a long-lived inbox does not keep every message it ever held.
    if (this.head > 1024 && this.head * 2 > this.messages.length) {
      this.messages.splice(0, this.head);
      this.weights.splice(0, this.head);
      this.head = 0;
    }
    this.onTake();
    return message;
  }

  recv(options?: WaitOptions): Promise<T> {
    if (this.size > 0) return Promise.resolve(this.take());
    if (this.endError) return Promise.reject(this.endError);
    return waitWith<T>(`recv on ${this.label}`, options, (resolve, reject) => {
      const waiter: Waiter<T> = { resolve, reject };
      this.waiters.push(waiter);
      return () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
      };
    });
  }

  /**
   * Async iteration for a receiver: yields until end-of-stream or close; a failure (corrupt
   * stream, peer crash) is thrown. Hand-written rather than an async generator because this is
   * the per-message hot path of every receiver: a held message costs one resolved promise.
   */
  iterate(): AsyncIterableIterator<T> {
    const isCleanEnd = (err: unknown): boolean =>
      this.drained && err === this.endError && this.endError?.code === "ChannelClosed";
    const iterator: AsyncIterableIterator<T> = {
      next: () => {
        if (this.size > 0) return Promise.resolve({ value: this.take(), done: false });
        if (this.endError) {
          return isCleanEnd(this.endError)
            ? Promise.resolve({ value: undefined, done: true })
            : Promise.reject(this.endError);
        }
        // Wait as a plain waiter that settles the iterator result itself: one promise per
        // message instead of recv()'s promise plus a .then() wrapper.
        return new Promise<IteratorResult<T>>((resolve, reject) => {
          this.waiters.push({
            resolve: (value) => resolve({ value, done: false }),
            reject: (err) =>
              isCleanEnd(err) ? resolve({ value: undefined, done: true }) : reject(err),
          });
        });
      },
      return: async () => ({ value: undefined, done: true }),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}
