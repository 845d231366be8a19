/**
 * The worker transport: channels over MessagePorts, between the notebook's main thread and
 * worker threads, or between two workers. Messages are structured-cloned (a deep copy: the
 * receiver never shares the sender's objects); ArrayBuffers listed in `transfer` are moved
 * instead (zero copy; the sender's buffer is detached and reads as length 0 afterwards).
 */
import {
  MessageChannel,
  parentPort,
  type MessagePort,
  type TransferListItem,
  type Worker,
} from "node:worker_threads";
import { ChannelError, type Channel, type WaitOptions } from "../channel";
import { DEFAULT_MAX_MESSAGE_BYTES } from "../codec";
import { Inbox } from "../internal/inbox";
import { isStopMessage, type WorkerHandle } from "../process";
import { track } from "../resources";

/** Send options of a port channel: the usual waits plus what to move rather than copy. */
export interface PortSendOptions extends WaitOptions {
  /** ArrayBuffers (or MessagePorts) to move to the receiver instead of copying. */
  transfer?: readonly TransferListItem[];
}

/**
 * A channel over a MessagePort. Beyond the channel contract:
 * - `send()` never waits: a MessagePort queue has no capacity limit, so a fast sender is never
 *   slowed down and the receiver's queue grows instead (chapter 01 shows this).
 * - Ordering: per direction, in send order.
 * - `close()` tells the peer (its receiver ends after the messages sent before) and releases the
 *   port, so the thread can exit. `fail(err)` ends the peer's receiver with `PeerFailed`
 *   carrying `err`'s name, message and stack (errors cross threads with their stack).
 * - Byte messages (typed arrays) over `maxMessageBytes` fail with `MessageTooLarge`.
 */
export interface PortChannel<T> extends Channel<T> {
  send(message: T, options?: PortSendOptions): Promise<void>;
  /** Reports `err` to the peer, then closes. */
  fail(err: unknown): Promise<void>;
  /**
   * Half-close: tells the peer no more messages follow (its receiver ends after the ones sent
   * before) but keeps receiving. Later sends reject with `ChannelClosed`. Idempotent.
   */
  endSend(): Promise<void>;
}

/** Options of {@link portChannel}. */
export interface PortChannelOptions {
  label?: string;
  /** Limit for byte messages (typed arrays). Default 16 MiB. */
  maxMessageBytes?: number;
}

/** The minimal port surface shared by MessagePort, Worker and parentPort. */
interface PortLike {
  postMessage(value: unknown, transferList?: readonly TransferListItem[]): void;
  on(event: "message", listener: (value: unknown) => void): unknown;
  off(event: "message", listener: (value: unknown) => void): unknown;
}

// Control messages travel in-band so they stay ordered with the data before them.
const CONTROL = "__kernelLibControl";
type Control =
  | { [CONTROL]: "end" }
  | { [CONTROL]: "error"; name: string; message: string; stack: string | undefined };

function isControl(value: unknown): value is Control {
  return typeof value === "object" && value !== null && CONTROL in value;
}

/**
 * True for an ArrayBuffer already moved away. Node 20 has no `ArrayBuffer#detached`, and
 * posting a detached buffer in a transfer list does not throw: the message is silently lost.
 * A detached buffer reads as length 0, and viewing it throws, unlike a real empty buffer.
 */
function isDetached(item: unknown): boolean {
  if (Object.prototype.toString.call(item) !== "[object ArrayBuffer]") return false;
  const buffer = item as ArrayBuffer;
  if (buffer.byteLength > 0) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/** Rebuilds an error that crossed a thread boundary, keeping the remote stack. */
function remoteError(c: Extract<Control, { [CONTROL]: "error" }>): Error {
  const err = new Error(c.message);
  err.name = c.name;
  if (c.stack) err.stack = c.stack;
  return err;
}

interface Hooks {
  /** Extra teardown after close (close the MessagePort, unref, ...). */
  release?: () => void;
}

function makePortChannel<T>(
  port: PortLike,
  options: PortChannelOptions,
  hooks: Hooks,
): { channel: PortChannel<T>; inbox: Inbox<T>; detach: () => void } {
  const label = options.label ?? "port channel";
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const inbox = new Inbox<T>(label);
  let closed = false;
  let sendEnded = false;
  const onMessage = (value: unknown): void => {
    if (isControl(value)) {
      if (value[CONTROL] === "end") inbox.end();
      else {
        inbox.end(
          new ChannelError("PeerFailed", `${label}: peer failed: ${value.name}: ${value.message}`, {
            cause: remoteError(value),
          }),
        );
      }
      return;
    }
    if (isStopMessage(value)) {
      // startWorker's graceful stop: end-of-stream for a worker iterating its parent channel.
      inbox.end(new ChannelError("ChannelClosed", `${label}: stop requested by the parent`));
      return;
    }
    inbox.push(value as T);
  };
  port.on("message", onMessage);
  const detach = (): void => {
    port.off("message", onMessage);
  };
  const untrack = track({ label, close: () => channel.close() });

  const release = (): void => {
    detach();
    hooks.release?.();
    untrack();
  };

  const channel: PortChannel<T> = {
    async send(message: T, opts?: PortSendOptions) {
      if (closed || sendEnded) throw new ChannelError("ChannelClosed", `${label} was closed`);
      if (opts?.signal?.aborted) throw new ChannelError("Aborted", `send on ${label} was aborted`);
      if (ArrayBuffer.isView(message) && message.byteLength > maxBytes) {
        throw new ChannelError(
          "MessageTooLarge",
          `${label}: message of ${message.byteLength} bytes exceeds the limit of ${maxBytes} bytes`,
        );
      }
      if (opts?.transfer?.some(isDetached)) {
        throw new ChannelError(
          "InvalidArgument",
          `${label}: a buffer in the transfer list was already transferred (detached)`,
        );
      }
      try {
        port.postMessage(message, opts?.transfer);
      } catch (cause) {
        // DataCloneError: functions, symbols, class instances with private state...
        throw new ChannelError(
          "InvalidArgument",
          `${label}: cannot send this message: ${(cause as Error).message}`,
          { cause },
        );
      }
    },
    recv: (opts) => inbox.recv(opts),
    async endSend() {
      if (closed || sendEnded) return;
      sendEnded = true;
      try {
        port.postMessage({ [CONTROL]: "end" } satisfies Control);
      } catch {
        // The peer is already gone; nothing to tell.
      }
    },
    async close() {
      if (closed) return;
      await channel.endSend();
      closed = true;
      inbox.close();
      release();
    },
    async fail(err: unknown) {
      if (closed) return;
      const e = err instanceof Error ? err : new Error(String(err));
      try {
        port.postMessage({
          [CONTROL]: "error",
          name: e.name,
          message: e.message,
          stack: e.stack,
        } satisfies Control);
      } catch {
        // The peer is already gone.
      }
      closed = true;
      inbox.close();
      release();
    },
    get closed() {
      return closed || inbox.drained;
    },
    [Symbol.asyncIterator]: () => inbox.iterate(),
  };
  return { channel, inbox, detach };
}

/**
 * A channel over one end of a MessageChannel (see {@link createPortPair}). Non-blocking on
 * both sides. Closing either end ends the other's receiver (after the messages sent before).
 *
 * @example
 * const [a, b] = createPortPair();
 * startWorker(pingPath, { workerData: { port: a }, transferList: [a] });
 * const ch = portChannel<number>(b); await ch.send(1);
 */
export function portChannel<T>(
  port: MessagePort,
  options: PortChannelOptions = {},
): PortChannel<T> {
  const { channel, inbox } = makePortChannel<T>(port, options, { release: () => port.close() });
  // The other end closed (or its thread died) without saying "end".
  port.once("close", () => inbox.end());
  return channel;
}

/** A fresh MessageChannel's two ends: hand each to a thread via `transferList`. */
export function createPortPair(): [MessagePort, MessagePort] {
  const { port1, port2 } = new MessageChannel();
  return [port1, port2];
}

/**
 * The main thread's channel to a worker started with `startWorker`, over the worker's own port.
 * A worker that throws ends this receiver with `PeerFailed` (the worker's error, with its
 * stack, is the `cause`); a worker that exits ends it with `ChannelClosed` after the messages
 * it sent. `close()` tells the worker "end"; it does not stop the worker (`handle.stop()`).
 *
 * @example
 * const w = startWorker(programPath("echo-worker"));
 * const ch = workerChannel<string>(w);
 * await ch.send("hi"); await ch.recv(); // "hi"
 * await ch.close(); await w.stop();
 */
export function workerChannel<T>(
  handle: WorkerHandle,
  options: PortChannelOptions = {},
): PortChannel<T> {
  const worker: Worker = handle.worker;
  const label = options.label ?? `worker ${worker.threadId} (${handle.name})`;
  const onError = (err: Error): void =>
    inbox.end(new ChannelError("PeerFailed", `${label} threw: ${err.message}`, { cause: err }));
  const onExit = (): void => inbox.end();
  const { channel, inbox } = makePortChannel<T>(
    worker,
    { ...options, label },
    {
      release: () => {
        worker.off("error", onError);
        worker.off("exit", onExit);
      },
    },
  );
  worker.on("error", onError);
  worker.on("exit", onExit);
  return channel;
}

/**
 * Inside a worker: the channel to the thread that started it (over `parentPort`). Its receiver
 * ends when the parent closes its side or asks the worker to stop (`WorkerHandle.stop()`), so
 * `for await (const msg of parentChannel())` is a complete worker main loop. Throws
 * `InvalidArgument` on the main thread.
 */
export function parentChannel<T>(options: PortChannelOptions = {}): PortChannel<T> {
  if (!parentPort) {
    throw new ChannelError("InvalidArgument", "parentChannel() called outside a worker thread");
  }
  return makePortChannel<T>(parentPort, { label: "parent channel", ...options }, {}).channel;
}
