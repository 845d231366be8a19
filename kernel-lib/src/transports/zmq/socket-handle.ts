/**
 * The lifecycle every kernel-lib ZeroMQ end shares: create the zeromq.js socket with its
 * options, bind and/or connect, register with `resources.ts` while open, and close (linger,
 * ipc directory removal) exactly once.
 */
import type { Context, Socket } from "zeromq";
import { ChannelError } from "../../channel";
import { DEFAULT_MAX_MESSAGE_BYTES } from "../../codec";
import { track } from "../../resources";
import { adoptIpcDirectory } from "./endpoint";
import { zeromq, type ZeromqModule } from "./load";

/** Options every ZeroMQ end accepts. Give `bind`, `connect` or both. */
export interface ZmqSocketOptions {
  /** Addresses to bind (see `zmqEndpoint`); the resolved ones appear in `endpoints`. */
  bind?: string | readonly string[];
  /** Addresses to connect to (a bound peer's `endpoint`). Connecting never waits for the peer. */
  connect?: string | readonly string[];
  /**
   * ZMQ_SNDHWM: messages ZeroMQ queues per peer before the socket is "mute" (zmq default 1000).
   * What mute means depends on the pattern: PUSH, DEALER, REQ and mandatory ROUTER wait; PUB
   * drops.
   */
  sendHighWaterMark?: number;
  /** ZMQ_RCVHWM: messages queued per peer on the receiving side (zmq default 1000). */
  receiveHighWaterMark?: number;
  /** Largest message (all frames together) sent or accepted; default 16 MiB. */
  maxMessageBytes?: number;
  /**
   * How long ZeroMQ keeps trying to deliver queued messages after `close()` (ZMQ_LINGER), in
   * ms. Default 1000: enough to flush a closed sender's last messages, short enough that a
   * peer that never comes cannot hold the process open at exit. `close()` never waits for it.
   */
  lingerMs?: number;
  /**
   * Receivers may take up to this many messages (and 1 MiB) out of ZeroMQ ahead of `recv()`
   * calls, and only ones ZeroMQ already holds (default 16, at least 1). What a sender can
   * queue before it feels backpressure is the high-water marks, the kernel's socket buffers
   * (ipc, tcp) and at most this.
   */
  readAhead?: number;
  /** Name in error messages and leak reports. */
  label?: string;
  /**
   * A zeromq.js `Context`. Default: zeromq.js's global context, shared by every thread of the
   * process. A context made with `new Context()` belongs to the thread that made it, and
   * `inproc://` only connects sockets of the same context.
   */
  context?: Context;
}

/** What every kernel-lib ZeroMQ end exposes besides its messaging methods. */
export interface ZmqEnd<S> {
  /** Bound addresses as resolved (a tcp port 0 becomes the real port), then connected ones. */
  readonly endpoints: readonly string[];
  /** The first of `endpoints`: what a peer passes as `connect`. */
  readonly endpoint: string;
  /**
   * The zeromq.js socket underneath, to inspect options (`sendHighWaterMark`, `lastEndpoint`)
   * or watch `events`. Do not send, receive or close on it: kernel-lib owns those.
   */
  readonly socket: S;
}

/** Default ZMQ_LINGER in ms; see `ZmqSocketOptions.lingerMs`. */
export const DEFAULT_LINGER_MS = 1000;
const DEFAULT_READ_AHEAD = 16;

/** An open socket and the bookkeeping around it. */
export interface SocketHandle<S extends Socket> {
  readonly socket: S;
  readonly label: string;
  readonly endpoints: string[];
  readonly maxMessageBytes: number;
  readonly readAhead: number;
  readonly lingerMs: number;
  readonly closed: boolean;
  /** Runs `fn` first thing on close (to fail pending calls before the socket goes). */
  onClose(fn: () => void): void;
  /** Closes the socket and removes adopted ipc directories. Synchronous and idempotent. */
  close(): void;
}

function list(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === "string" ? [value] : value;
}

function checkCount(name: string, value: number | undefined, min: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min) {
    throw new ChannelError("InvalidArgument", `${name} must be an integer >= ${min}, got ${value}`);
  }
}

/**
 * Creates a socket with `make`, applies the options, binds then connects, and tracks it.
 * Rejects with `InvalidArgument` for bad options, an address that cannot be bound (in use,
 * bad path) or connected; the socket is closed again in that case.
 */
export async function openSocket<S extends Socket>(
  typeName: string,
  make: (zmq: ZeromqModule) => S,
  options: ZmqSocketOptions,
): Promise<SocketHandle<S>> {
  const binds = list(options.bind);
  const connects = list(options.connect);
  if (binds.length === 0 && connects.length === 0) {
    throw new ChannelError("InvalidArgument", `zmq ${typeName}: give bind or connect addresses`);
  }
  for (const address of connects) {
    if (/^tcp:\/\/.*:(0|\*)$/.test(address)) {
      throw new ChannelError(
        "InvalidArgument",
        `zmq ${typeName}: cannot connect to ${address}; connect to the bound socket's endpoint`,
      );
    }
  }
  checkCount("sendHighWaterMark", options.sendHighWaterMark, 0);
  checkCount("receiveHighWaterMark", options.receiveHighWaterMark, 0);
  checkCount("maxMessageBytes", options.maxMessageBytes, 0);
  checkCount("lingerMs", options.lingerMs, 0);
  checkCount("readAhead", options.readAhead, 1);

  const socket = make(zeromq());
  const lingerMs = options.lingerMs ?? DEFAULT_LINGER_MS;
  // High-water marks apply to pipes created after they are set: set before bind/connect.
  socket.linger = lingerMs;
  const writable = socket as Partial<{ sendHighWaterMark: number; receiveHighWaterMark: number }>;
  if (options.sendHighWaterMark !== undefined && "sendHighWaterMark" in socket) {
    writable.sendHighWaterMark = options.sendHighWaterMark;
  }
  if (options.receiveHighWaterMark !== undefined && "receiveHighWaterMark" in socket) {
    writable.receiveHighWaterMark = options.receiveHighWaterMark;
  }

  const endpoints: string[] = [];
  const removeDirs: (() => void)[] = [];
  const closers: (() => void)[] = [];
  let closed = false;
  let untrack = (): void => {};
  const close = (): void => {
    if (closed) return;
    closed = true;
    for (const fn of closers.splice(0)) fn();
    // linger was set at creation: zmq_close returns at once and ZeroMQ's I/O thread flushes
    // (or drops, after lingerMs) whatever is still queued.
    socket.close();
    // libzmq leaves the socket file behind; the directory is ours, so remove it whole.
    for (const remove of removeDirs.splice(0)) remove();
    untrack();
  };

  try {
    for (const address of binds) {
      await socket.bind(address);
      const remove = adoptIpcDirectory(address);
      if (remove) removeDirs.push(remove);
      // lastEndpoint holds the real tcp port; inproc has none, so keep the given address.
      const bound = socket.lastEndpoint;
      endpoints.push(bound && !address.startsWith("inproc://") ? bound : address);
    }
    for (const address of connects) {
      socket.connect(address);
      endpoints.push(address);
    }
  } catch (cause) {
    close();
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new ChannelError("InvalidArgument", `zmq ${typeName}: cannot open ${why}`, { cause });
  }

  const how = binds.length > 0 ? "bound to" : "connected to";
  const label = options.label ?? `zmq ${typeName} ${how} ${endpoints.join(", ")}`;
  untrack = track({ label, close: async () => close(), closeSync: close });
  return {
    socket,
    label,
    endpoints,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    readAhead: options.readAhead ?? DEFAULT_READ_AHEAD,
    lingerMs,
    get closed() {
      return closed;
    },
    onClose: (fn) => closers.push(fn),
    close,
  };
}

/** The `ZmqEnd` view of a handle, for spreading into the objects the factories return. */
export function endOf<S extends Socket>(handle: SocketHandle<S>): ZmqEnd<S> {
  return {
    endpoints: handle.endpoints,
    endpoint: handle.endpoints[0] as string,
    socket: handle.socket,
  };
}

/**
 * A zeromq.js error as a `ChannelError`: after close every pending operation fails with
 * EAGAIN, which is `ChannelClosed` here; anything else is `PeerFailed` with the zmq code.
 */
export function channelErrorFrom(label: string, err: unknown, closed: boolean): ChannelError {
  if (err instanceof ChannelError) return err;
  if (closed) return new ChannelError("ChannelClosed", `${label} was closed`);
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  return new ChannelError("PeerFailed", `${label}: ${String(code ?? "")} ${message}`.trim(), {
    cause: err,
  });
}
