/**
 * Sending on a zeromq.js socket under the channel contract. zeromq.js allows one blocked
 * `send()` at a time (a second one fails with EBUSY) and cannot cancel it, so sends are taken
 * in call order, one at a time; a send waiting for its turn can time out or be aborted without
 * consuming anything, and the one in progress uses ZMQ_SNDTIMEO, so a timeout leaves the
 * message unsent too.
 */
import type { Socket, Writable } from "zeromq";
import { ChannelError, type WaitOptions } from "../../channel";
import { waitWith } from "../../internal/wait";
import { channelErrorFrom } from "./socket-handle";

type SendingSocket = Socket & Pick<Writable, "send" | "sendTimeout">;

/** While a send holds an abort signal, it re-checks the signal this often (ms). */
const ABORT_POLL_MS = 50;

/** How a zmq error on send becomes a channel error; a socket type can refine the default. */
export type SendErrorMapper = (err: unknown) => ChannelError | undefined;

interface Turn {
  run: () => void;
  reject: (err: unknown) => void;
}

/** A send's time limit: the `timeoutMs` it was given (for messages) and when it expires. */
interface Limit {
  timeoutMs: number;
  deadline: number;
}

/** Call-ordered, one-at-a-time sends on one socket. */
export class SendQueue {
  private busy = false;
  private readonly turns: Turn[] = [];
  private timeoutSet = -1;
  private closedError: ChannelError | undefined;

  /**
   * `tryAtOnce`: attempt every send without waiting first (ZMQ_SNDTIMEO 0), and wait only if
   * that fails with EAGAIN. A mandatory ROUTER needs it: with no peer able to take a message,
   * zeromq.js would wait for the socket to become writable instead of reporting the
   * EHOSTUNREACH that libzmq gives for an unknown identity.
   */
  constructor(
    private readonly socket: SendingSocket,
    private readonly label: string,
    private readonly mapError: SendErrorMapper = () => undefined,
    private readonly tryAtOnce = false,
  ) {}

  /**
   * Resolves once ZeroMQ queued `parts` (for the peer or, for PUB, dropped it by design).
   * Rejects with `ChannelClosed` after `close()`, `Timeout`/`Aborted` per `options` (the
   * message is then not sent), or a mapped zmq error.
   */
  send(parts: Uint8Array[], options?: WaitOptions): Promise<void> {
    if (this.closedError) return Promise.reject(this.closedError);
    const timeoutMs = options?.timeoutMs;
    const signal = options?.signal;
    if (!this.busy && timeoutMs === undefined && signal === undefined && !this.tryAtOnce) {
      return this.transmitNow(parts);
    }
    if (timeoutMs !== undefined && !(timeoutMs >= 0 && Number.isFinite(timeoutMs))) {
      return Promise.reject(
        new ChannelError("InvalidArgument", `send on ${this.label}: timeoutMs must be >= 0`),
      );
    }
    const limit =
      timeoutMs === undefined ? undefined : { timeoutMs, deadline: Date.now() + timeoutMs };
    if (!this.busy) {
      this.busy = true;
      return this.transmit(parts, limit, signal);
    }
    // Wait for the turn; waitWith times out or aborts this wait and removes it from the queue.
    // Being handed the turn resolves the wait (clearing its timer) before the send starts, so a
    // timeout can never fire once the message is on its way.
    return waitWith<void>(`send on ${this.label}`, options, (resolve, reject) => {
      const turn: Turn = { run: () => resolve(), reject };
      this.turns.push(turn);
      return () => {
        const i = this.turns.indexOf(turn);
        if (i >= 0) this.turns.splice(i, 1);
      };
    }).then(() => this.transmit(parts, limit, signal));
  }

  /** Fails waiting sends with `err`; the one in progress fails when the socket closes. */
  close(err: ChannelError): void {
    this.closedError ??= err;
    for (const turn of this.turns.splice(0)) turn.reject(err);
  }

  /**
   * Like `close(err)`, then sends `last` once the send in progress (if any) is done, all within
   * `timeoutMs`. Resolves true when `last` was queued, false when time ran out (never rejects).
   */
  async finish(err: ChannelError, last: Uint8Array[], timeoutMs: number): Promise<boolean> {
    this.close(err);
    const limit = { timeoutMs, deadline: Date.now() + timeoutMs };
    try {
      if (this.busy) {
        await waitWith<void>(`close of ${this.label}`, { timeoutMs }, (resolve, reject) => {
          const turn: Turn = { run: () => resolve(), reject };
          this.turns.push(turn);
          return () => {
            const i = this.turns.indexOf(turn);
            if (i >= 0) this.turns.splice(i, 1);
          };
        });
      } else {
        this.busy = true;
      }
      await this.transmit(last, limit, undefined, true);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The per-message hot path (nothing queued, no limits): the zeromq.js promise with one
   * reaction that passes the turn on, not an async function (which costs more ticks).
   */
  private transmitNow(parts: Uint8Array[]): Promise<void> {
    this.busy = true;
    this.setSendTimeout(-1);
    let sending: Promise<void>;
    try {
      // A lone frame goes without the array: zeromq.js then skips reading an array natively.
      sending = this.socket.send(parts.length === 1 ? (parts[0] as Uint8Array) : parts);
    } catch (err) {
      // zeromq.js throws synchronously on a closed socket (EBADF).
      this.release();
      return Promise.reject(
        this.mapError(err) ?? channelErrorFrom(this.label, err, this.socket.closed),
      );
    }
    return sending.then(this.sent, this.failed);
  }

  private readonly sent = (): void => this.release();

  private readonly failed = (err: unknown): never => {
    this.release();
    throw this.mapError(err) ?? channelErrorFrom(this.label, err, this.socket.closed);
  };

  /** Sends while holding the turn, then passes the turn on. */
  private async transmit(
    parts: Uint8Array[],
    limit: Limit | undefined,
    signal: AbortSignal | undefined,
    evenIfClosed = false,
  ): Promise<void> {
    try {
      if (this.closedError && !evenIfClosed) throw this.closedError;
      if (this.tryAtOnce && (await this.sentAtOnce(parts))) return;
      if (limit === undefined && signal === undefined) {
        this.setSendTimeout(-1);
        await this.socket.send(parts);
      } else {
        await this.transmitWithin(parts, limit, signal);
      }
    } catch (err) {
      throw this.mapError(err) ?? channelErrorFrom(this.label, err, this.socket.closed);
    } finally {
      this.release();
    }
  }

  /**
   * ZMQ_SNDTIMEO bounds the wait inside zeromq.js; with a signal, the wait is cut into slices
   * so an abort is noticed within ABORT_POLL_MS (zeromq.js has no way to cancel a send).
   */
  private async transmitWithin(
    parts: Uint8Array[],
    limit: Limit | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const what = `send on ${this.label}`;
    for (;;) {
      if (signal?.aborted) throw new ChannelError("Aborted", `${what} was aborted`);
      const remaining = limit ? Math.max(0, limit.deadline - Date.now()) : Infinity;
      const slice = Math.min(remaining, signal ? ABORT_POLL_MS : Infinity);
      this.setSendTimeout(slice === Infinity ? -1 : Math.ceil(slice));
      try {
        await this.socket.send(parts);
        return;
      } catch (err) {
        if (this.socket.closed || (err as { code?: unknown }).code !== "EAGAIN") throw err;
        if (limit && Date.now() >= limit.deadline) {
          throw new ChannelError("Timeout", `${what} timed out after ${limit.timeoutMs} ms`);
        }
      }
    }
  }

  /** One attempt that never waits: true if sent, false on EAGAIN (full), else throws. */
  private async sentAtOnce(parts: Uint8Array[]): Promise<boolean> {
    this.setSendTimeout(0);
    try {
      await this.socket.send(parts);
      return true;
    } catch (err) {
      if (this.socket.closed || (err as { code?: unknown }).code !== "EAGAIN") throw err;
      return false;
    }
  }

  private setSendTimeout(ms: number): void {
    // A native setsockopt per message would cost; only touch it when it changes.
    if (this.timeoutSet === ms) return;
    this.socket.sendTimeout = ms;
    this.timeoutSet = ms;
  }

  private release(): void {
    const next = this.turns.shift();
    if (next) next.run();
    else this.busy = false;
  }
}
