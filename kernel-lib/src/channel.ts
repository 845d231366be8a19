/**
 * The channel contract every transport in kernel-lib implements.
 *
 * A transport hands out a {@link Sender} (the writing end), a {@link Receiver} (the reading end)
 * or a {@link Channel} (both). The rules below hold for every transport; the conformance suite in
 * `kernel-lib/test/conformance/` checks them for each one.
 *
 * - Ordering: messages from one sender arrive in the order they were sent, each exactly once,
 *   whole (never split or merged), or the channel fails with an error.
 * - Blocking: `send()` resolves once the transport has accepted the message (an OS buffer or the
 *   peer's queue); when the transport is full it waits, which is how backpressure shows. `recv()`
 *   waits until a message arrives. Both take `timeoutMs` and an `AbortSignal`; a timeout rejects
 *   with code `Timeout` and consumes nothing. Nothing ever blocks the calling thread: waits are
 *   promises.
 * - Several pending `recv()` calls are served in call order.
 * - Close: `close()` is idempotent and resolves when the local end is released. Pending and later
 *   `send()`/`recv()` calls reject with code `ChannelClosed`. When the peer closes (EOF), the
 *   receiver first delivers what it already holds, then `recv()` rejects with `ChannelClosed`
 *   and async iteration ends.
 *
 * @example
 * for await (const msg of receiver) console.log(msg); // ends when the peer closes
 */

/** The fixed set of error codes kernel-lib uses; compare on `code`, not on the message text. */
export type ChannelErrorCode =
  | "ChannelClosed"
  | "Timeout"
  | "WouldBlock"
  | "Aborted"
  | "MessageTooLarge"
  | "CorruptFrame"
  | "InvalidArgument"
  | "PeerFailed"
  | "Unsupported";

/**
 * The one error class kernel-lib throws for channel and process failures. `code` says what went
 * wrong; `message` says it in words, naming the channel or value involved.
 *
 * @example
 * try { await rx.recv({ timeoutMs: 100 }); } catch (e) { if (isChannelError(e, "Timeout")) ... }
 */
export class ChannelError extends Error {
  override readonly name = "ChannelError";
  constructor(
    readonly code: ChannelErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}

/**
 * True when `err` is a {@link ChannelError} (optionally with the given code). Works across
 * realms (Jest contexts, worker threads) because it checks the shape, not `instanceof`.
 */
export function isChannelError(err: unknown, code?: ChannelErrorCode): err is ChannelError {
  if (typeof err !== "object" || err === null) return false;
  const e = err as { name?: unknown; code?: unknown };
  return e.name === "ChannelError" && (code === undefined || e.code === code);
}

/** Options accepted by every waiting call. */
export interface WaitOptions {
  /** Give up after this many milliseconds with a `Timeout` error. Default: wait without limit. */
  timeoutMs?: number;
  /** Abort the wait; it rejects with an `Aborted` error. */
  signal?: AbortSignal;
}

/** The writing end of a channel. */
export interface Sender<T> {
  /**
   * Hands `message` to the transport. Resolves when the transport accepted it (not when the
   * peer read it); waits while the transport is full. Rejects with `ChannelClosed` after
   * `close()` or when the peer went away, `MessageTooLarge` when the message exceeds the
   * channel's limit, `Timeout`/`Aborted` per `options`.
   */
  send(message: T, options?: WaitOptions): Promise<void>;
  /**
   * Flushes what was accepted, then releases the writing end; the peer sees end-of-stream after
   * the last message. Idempotent. Pending sends reject with `ChannelClosed`.
   */
  close(): Promise<void>;
  /** True once `close()` was called or the peer went away. */
  readonly closed: boolean;
}

/** The reading end of a channel. Async iteration yields each message until end-of-stream. */
export interface Receiver<T> extends AsyncIterable<T> {
  /**
   * Resolves with the next message in order, waiting until one arrives. Rejects with
   * `ChannelClosed` once the channel is closed and drained, `Timeout`/`Aborted` per `options`
   * (the message, when it comes, stays for the next call).
   */
  recv(options?: WaitOptions): Promise<T>;
  /** Releases the reading end; pending receives reject with `ChannelClosed`. Idempotent. */
  close(): Promise<void>;
  /** True once `close()` was called, or end-of-stream was reached and every message read. */
  readonly closed: boolean;
}

/** Both ends in one object, for transports that are bidirectional. `close()` closes both. */
export interface Channel<T> extends Omit<Sender<T>, "close" | "closed">, Receiver<T> {}

/** A pair of ends: what pipes and FIFOs hand back. */
export interface ChannelPair<T> {
  reader: Receiver<T>;
  writer: Sender<T>;
}
