/**
 * POSIX message queues (mq_open and friends): kernel-managed, named, bounded priority queues
 * between any processes of the machine, through the native addon in native/posix-mq.
 *
 * The addon opens every descriptor non-blocking and reports readiness from libuv's poll, so
 * waiting for room or for a message never blocks a thread: not the main thread (the notebook
 * kernel), and not libuv's thread pool either.
 */
import { ChannelError, type WaitOptions } from "../channel";
import { waitWith } from "../internal/wait";
import { track } from "../resources";
import {
  checkBytes,
  checkPriority,
  iterateUntilClosed,
  type MessageQueue,
  type QueueAttributes,
  type QueuedMessage,
  type QueueSendOptions,
} from "../queue/message-queue";
import {
  nativeBinding,
  OPEN_CREATE,
  OPEN_EXCLUSIVE,
  OPEN_READ,
  OPEN_WRITE,
  READABLE,
  WRITABLE,
  type NativeMqBinding,
  type NativeQueueHandle,
} from "./binding";
import { mqueueError, type ErrorContext } from "./errors";
import { mqueueLimits } from "./limits";
import { checkQueueName } from "./queue-name";
import { unlinkMessageQueue } from "./kernel-queues";

/** Which directions a descriptor allows (O_WRONLY, O_RDONLY, O_RDWR). */
export type QueueAccess = "send" | "receive" | "both";

/** Options of {@link openMessageQueue}. */
export interface OpenMessageQueueOptions {
  /** What this descriptor may do. Default "both". */
  access?: QueueAccess;
  /** Create the queue if it does not exist (O_CREAT). Default false. */
  create?: boolean;
  /** With `create`: fail with `InvalidArgument` if it exists already (O_EXCL). */
  exclusive?: boolean;
  /** Permission bits of a created queue. Default 0o600 (this user only). */
  mode?: number;
  /**
   * Most messages held (mq_maxmsg), when this call creates the queue. Default: the system's
   * msg_default (10). An existing queue keeps its own; read `capacity` after opening.
   */
  capacity?: number;
  /** Largest message (mq_msgsize), when this call creates the queue. Default msgsize_default. */
  maxMessageBytes?: number;
}

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
 * Opens (or with `create`, creates) the POSIX message queue `name` ("/" then 1 to 255 bytes
 * without "/"). Never blocks. Throws `Unsupported` where POSIX queues are not available (see
 * `mqueueSupport()`), `InvalidArgument` for a bad name, a missing or existing queue, or sizes
 * over the system's limits (the message names them).
 *
 * @example
 * const q = openMessageQueue("/jobs", { create: true, capacity: 8, maxMessageBytes: 1024 });
 * await q.send(new TextEncoder().encode("urgent"), { priority: 9 });
 * const { message, priority } = await q.recv();
 * await q.close();
 * q.unlink(); // or unlinkMessageQueue("/jobs"): the queue outlives processes until unlinked
 */
export function openMessageQueue(
  name: string,
  options: OpenMessageQueueOptions = {},
): PosixMessageQueue {
  const what = `openMessageQueue(${name})`;
  checkQueueName(name, what);
  const access = options.access ?? "both";
  const create = options.create ?? false;
  if (!["send", "receive", "both"].includes(access)) {
    throw new ChannelError(
      "InvalidArgument",
      `${what}: access must be "send", "receive" or "both"`,
    );
  }
  if (!create && (options.capacity !== undefined || options.maxMessageBytes !== undefined)) {
    throw new ChannelError(
      "InvalidArgument",
      `${what}: capacity and maxMessageBytes apply only with create: true (an existing queue keeps its own)`,
    );
  }
  for (const [key, value] of [
    ["capacity", options.capacity],
    ["maxMessageBytes", options.maxMessageBytes],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= 2 ** 31 - 1)) {
      throw new ChannelError(
        "InvalidArgument",
        `${what}: ${key} must be an integer >= 1, got ${value}`,
      );
    }
  }
  const mode = options.mode ?? 0o600;
  if (!(Number.isInteger(mode) && mode >= 0 && mode <= 0o777)) {
    throw new ChannelError("InvalidArgument", `${what}: mode must be permission bits (0 to 0o777)`);
  }
  const binding = nativeBinding();
  // The kernel takes both sizes or neither: fill in the system default for a missing one.
  let capacity = options.capacity;
  let maxMessageBytes = options.maxMessageBytes;
  if (create && (capacity !== undefined || maxMessageBytes !== undefined)) {
    const limits = mqueueLimits();
    capacity ??= limits.defaultCapacity ?? 10;
    maxMessageBytes ??= limits.defaultMessageBytes ?? 8192;
  }
  const flags =
    (access === "send" ? 0 : OPEN_READ) |
    (access === "receive" ? 0 : OPEN_WRITE) |
    (create ? OPEN_CREATE : 0) |
    (create && options.exclusive ? OPEN_EXCLUSIVE : 0);
  const ctx: ErrorContext = { what, name };
  if (capacity !== undefined) ctx.capacity = capacity;
  if (maxMessageBytes !== undefined) ctx.maxMessageBytes = maxMessageBytes;
  let handle: NativeQueueHandle;
  try {
    handle = binding.open(name, flags, mode, capacity ?? 0, maxMessageBytes ?? 0);
  } catch (err) {
    throw mqueueError(err, ctx);
  }
  try {
    return new PosixMessageQueue(binding, handle, name, access);
  } catch (err) {
    binding.close(handle); // not yet tracked: close it here or it leaks
    throw mqueueError(err, ctx);
  }
}

/**
 * An open descriptor of a POSIX message queue; made by {@link openMessageQueue}.
 *
 * - Ordering: `recv()` returns the highest priority first, FIFO within a priority (the
 *   kernel's order, across every process using the queue). Pending calls of this descriptor
 *   are served in call order.
 * - Blocking: `send()` waits while the queue is full and `recv()` while it is empty, as
 *   promises: the descriptor is non-blocking and the wait is a libuv poll, so no thread is
 *   blocked. `timeoutMs`/`signal` end a wait with `Timeout`/`Aborted`, nothing sent or taken.
 *   `trySend()`/`tryRecv()` never wait: `WouldBlock` instead.
 * - Close: `close()` releases this descriptor only; its pending calls reject with
 *   `ChannelClosed`, iteration ends. Other descriptors and processes are not told: POSIX
 *   queues have no end-of-stream (send an agreed "last" message for that). The queue and its
 *   messages stay in the kernel until `unlink()` and the last close. Idempotent.
 * - Resources: listed by `liveResources()` until closed; `closeAll()` closes it.
 *
 * @example
 * const q = openMessageQueue("/jobs", { access: "receive" });
 * for await (const { message, priority } of q) console.log(priority, message.byteLength);
 */
export class PosixMessageQueue implements MessageQueue {
  /** The queue's name, e.g. "/jobs". */
  readonly name: string;
  /** What this descriptor may do. */
  readonly access: QueueAccess;
  /** mq_maxmsg of the queue. */
  readonly capacity: number;
  /** mq_msgsize of the queue. */
  readonly maxMessageBytes: number;
  /** Priorities run from 0 to `priorityLimit - 1` (MQ_PRIO_MAX: 32768 on Linux). */
  readonly priorityLimit: number;

  private readonly label: string;
  private readonly untrack: () => void;
  private readonly receiveBuffer: Uint8Array;
  private readonly pendingSends: PendingSend[] = [];
  private readonly pendingRecvs: PendingRecv[] = [];
  private watching = 0;
  private closedHere = false;

  /** @internal Use {@link openMessageQueue}. */
  constructor(
    private readonly binding: NativeMqBinding,
    private readonly handle: NativeQueueHandle,
    name: string,
    access: QueueAccess,
  ) {
    this.name = name;
    this.access = access;
    const attr = binding.getattr(handle);
    this.capacity = attr.maxmsg;
    this.maxMessageBytes = attr.msgsize;
    this.priorityLimit = binding.prioMax();
    this.receiveBuffer = new Uint8Array(access === "send" ? 0 : attr.msgsize);
    this.label = `POSIX message queue ${name} (fd ${binding.fd(handle)})`;
    this.untrack = track({
      label: this.label,
      close: () => this.close(),
      closeSync: () => binding.close(handle),
    });
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.closedHere;
  }

  /** Capacity, message size and the number of messages queued now (mq_getattr). */
  attributes(): QueueAttributes {
    this.assertOpen("attributes");
    try {
      const attr = this.binding.getattr(this.handle);
      return { capacity: attr.maxmsg, maxMessageBytes: attr.msgsize, count: attr.curmsgs };
    } catch (err) {
      throw mqueueError(err, this.context("attributes"));
    }
  }

  /**
   * Queues a copy of `message` with `options.priority` (default 0), waiting while the queue is
   * full. Rejects with `ChannelClosed` after `close()`, `MessageTooLarge` over
   * `maxMessageBytes`, `InvalidArgument` (priority, or a receive-only descriptor),
   * `Timeout`/`Aborted` (nothing was sent).
   *
   * @example
   * await q.send(bytes, { priority: 1, timeoutMs: 500 });
   */
  send(message: Uint8Array, options: QueueSendOptions = {}): Promise<void> {
    const priority = options.priority ?? 0;
    try {
      this.checkSend(message, priority, "send");
      // Straight to the kernel only when no earlier send waits: it must not overtake.
      if (this.pendingSends.length === 0 && this.sendNow(message, priority, "send")) {
        return Promise.resolve();
      }
    } catch (err) {
      return Promise.reject(err);
    }
    const copy = message.slice(); // the caller may reuse its array while the send waits
    return waitWith<void>(`send on ${this.label}`, options, (resolve, reject) => {
      const pending: PendingSend = { message: copy, priority, resolve, reject };
      this.pendingSends.push(pending);
      this.updateWatch();
      return () => this.forget(this.pendingSends, pending);
    });
  }

  /**
   * Resolves with the highest-priority, oldest message, waiting while the queue is empty.
   * Rejects with `ChannelClosed` after `close()`, `InvalidArgument` on a send-only descriptor,
   * `Timeout`/`Aborted` (nothing was taken).
   *
   * @example
   * const { message, priority } = await q.recv({ timeoutMs: 1000 });
   */
  recv(options?: WaitOptions): Promise<QueuedMessage> {
    try {
      this.checkRecv("recv");
      if (this.pendingRecvs.length === 0) {
        const message = this.receiveNow("recv");
        if (message) return Promise.resolve(message);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return waitWith<QueuedMessage>(`recv on ${this.label}`, options, (resolve, reject) => {
      const pending: PendingRecv = { resolve, reject };
      this.pendingRecvs.push(pending);
      this.updateWatch();
      return () => this.forget(this.pendingRecvs, pending);
    });
  }

  /**
   * Queues `message` now or throws `WouldBlock` (the queue is full, or earlier sends of this
   * descriptor still wait); also the errors of `send()`. Never waits.
   *
   * @example
   * try { q.trySend(bytes); } catch (e) { if (isChannelError(e, "WouldBlock")) ... }
   */
  trySend(message: Uint8Array, priority = 0): void {
    this.checkSend(message, priority, "trySend");
    if (this.pendingSends.length > 0) {
      throw this.wouldBlock("trySend", "earlier sends on this descriptor are still waiting");
    }
    if (!this.sendNow(message, priority, "trySend")) {
      throw this.wouldBlock("trySend", `the queue is full (${this.capacity} messages)`);
    }
  }

  /**
   * Takes the highest-priority, oldest message now or throws `WouldBlock` (the queue is empty,
   * or earlier receives of this descriptor still wait); `ChannelClosed` after `close()`.
   *
   * @example
   * const { message } = q.tryRecv();
   */
  tryRecv(): QueuedMessage {
    this.checkRecv("tryRecv");
    if (this.pendingRecvs.length > 0) {
      throw this.wouldBlock("tryRecv", "earlier receives on this descriptor are still waiting");
    }
    const message = this.receiveNow("tryRecv");
    if (!message) throw this.wouldBlock("tryRecv", "the queue is empty");
    return message;
  }

  /**
   * Removes the queue's name from the system (see `unlinkMessageQueue`); this descriptor
   * keeps working until closed. Returns false when the name was already gone.
   */
  unlink(): boolean {
    return unlinkMessageQueue(this.name);
  }

  /**
   * Closes this descriptor: pending calls reject with `ChannelClosed`, iteration ends. The
   * queue itself, its messages and other descriptors are unaffected. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closedHere) return;
    this.closedHere = true;
    this.failPending(new ChannelError("ChannelClosed", `${this.label} was closed`));
    this.untrack();
    try {
      this.binding.close(this.handle);
    } catch (err) {
      throw mqueueError(err, this.context("close"));
    }
  }

  /** Yields each message (as `recv()`) until this descriptor is closed. */
  [Symbol.asyncIterator](): AsyncIterableIterator<QueuedMessage> {
    return iterateUntilClosed(() => this.recv());
  }

  // ---- the kernel calls -------------------------------------------------------------------

  /** One non-blocking mq_send; false when the queue is full. */
  private sendNow(message: Uint8Array, priority: number, what: string): boolean {
    try {
      return this.binding.send(this.handle, message, priority);
    } catch (err) {
      throw mqueueError(err, this.context(what));
    }
  }

  /** One non-blocking mq_receive; undefined when the queue is empty. */
  private receiveNow(what: string): QueuedMessage | undefined {
    let got: { size: number; priority: number } | null;
    try {
      got = this.binding.receive(this.handle, this.receiveBuffer);
    } catch (err) {
      throw mqueueError(err, this.context(what));
    }
    if (!got) return undefined;
    return { message: this.receiveBuffer.slice(0, got.size), priority: got.priority };
  }

  // ---- waiting ----------------------------------------------------------------------------

  /** Polls for exactly what pending calls wait for: a level-triggered poll must stop when idle. */
  private updateWatch(): void {
    if (this.closedHere) return;
    const events =
      (this.pendingRecvs.length > 0 ? READABLE : 0) | (this.pendingSends.length > 0 ? WRITABLE : 0);
    if (events === this.watching) return;
    try {
      this.binding.watch(this.handle, events, (ready, errorCode) => this.onReady(ready, errorCode));
      this.watching = events;
    } catch (err) {
      // Polling could not start (it should not fail): fail the waiting calls, do not hang them.
      this.failPending(mqueueError(err, this.context("poll")));
    }
  }

  private failPending(err: unknown): void {
    for (const p of this.pendingSends.splice(0)) p.reject(err);
    for (const p of this.pendingRecvs.splice(0)) p.reject(err);
  }

  /**
   * The descriptor is ready: serve pending calls in order until the kernel says EAGAIN again
   * (another process may have taken the message or the slot first; then keep waiting).
   */
  private onReady(events: number, errorCode: string | undefined): void {
    if (errorCode !== undefined) {
      // The poll itself failed (it should not): fail the waiting calls rather than hang them.
      this.failPending(
        new ChannelError("PeerFailed", `polling ${this.label} failed (${errorCode})`),
      );
    }
    if (events & READABLE) this.serveReceives();
    if (events & WRITABLE) this.serveSends();
    this.updateWatch();
  }

  private serveReceives(): void {
    while (this.pendingRecvs.length > 0) {
      let message: QueuedMessage | undefined;
      try {
        message = this.receiveNow("recv");
      } catch (err) {
        this.pendingRecvs.shift()?.reject(err);
        continue;
      }
      if (!message) return;
      this.pendingRecvs.shift()?.resolve(message);
    }
  }

  private serveSends(): void {
    while (this.pendingSends.length > 0) {
      const head = this.pendingSends[0]!;
      try {
        if (!this.sendNow(head.message, head.priority, "send")) return;
      } catch (err) {
        this.pendingSends.shift();
        head.reject(err);
        continue;
      }
      this.pendingSends.shift();
      head.resolve();
    }
  }

  /** A call gave up (timeout, abort): drop it, and stop polling if nothing else waits. */
  private forget<W>(list: W[], pending: W): void {
    const i = list.indexOf(pending);
    if (i >= 0) list.splice(i, 1);
    this.updateWatch();
  }

  // ---- checks -----------------------------------------------------------------------------

  private assertOpen(what: string): void {
    if (this.closedHere)
      throw new ChannelError("ChannelClosed", `${what}: ${this.label} was closed`);
  }

  private checkSend(message: Uint8Array, priority: number, what: string): void {
    this.assertOpen(what);
    if (this.access === "receive") {
      throw new ChannelError(
        "InvalidArgument",
        `${what}: ${this.label} was opened for receiving only`,
      );
    }
    checkBytes(message, `${what} on ${this.label}`);
    if (message.byteLength > this.maxMessageBytes) {
      throw new ChannelError(
        "MessageTooLarge",
        `${what} on ${this.label}: ${message.byteLength} bytes, the queue's maxMessageBytes is ` +
          `${this.maxMessageBytes}`,
      );
    }
    checkPriority(priority, this.priorityLimit, `${what} on ${this.label}`);
  }

  private checkRecv(what: string): void {
    this.assertOpen(what);
    if (this.access === "send") {
      throw new ChannelError(
        "InvalidArgument",
        `${what}: ${this.label} was opened for sending only`,
      );
    }
  }

  private wouldBlock(what: string, why: string): ChannelError {
    return new ChannelError("WouldBlock", `${what} on ${this.label}: ${why}`);
  }

  private context(what: string): ErrorContext {
    return { what: `${what} on ${this.label}`, name: this.name };
  }
}
