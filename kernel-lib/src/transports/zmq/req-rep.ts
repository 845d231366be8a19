/**
 * REQ/REP, ZeroMQ's request/reply pattern: a client that asks and waits for the answer, and a
 * server that answers each request before it takes the next.
 *
 * Both sockets are strict state machines. A REQ socket must alternate send, receive, send,
 * receive; a REP socket receive, send, receive, send. zeromq.js does not report a violation:
 * a send in the wrong state just waits forever. So kernel-lib checks the alternation itself
 * and rejects at once with an `InvalidArgument` error whose message starts with
 * "REQ alternation" or "REP alternation" and says what to do instead.
 */
import type { Reply, Request } from "zeromq";
import { ChannelError, type Receiver, type WaitOptions } from "../../channel";
import { Inbox } from "../../internal/inbox";
import { waitWith } from "../../internal/wait";
import { asPartsCodec, checkSize, partsBytes, type ZmqCodec } from "./parts";
import { tooLarge } from "./receive-pump";
import { SendQueue } from "./send-queue";
import {
  channelErrorFrom,
  endOf,
  openSocket,
  type ZmqEnd,
  type ZmqSocketOptions,
} from "./socket-handle";

/** Options for {@link zmqRequester}. */
export interface ZmqRequesterOptions extends ZmqSocketOptions {
  /**
   * Allow a new request after one timed out (ZMQ_REQ_RELAXED with ZMQ_REQ_CORRELATE, so a
   * late reply to the old request is discarded, never mistaken for the new one's). Default
   * false: strict REQ, as the zguide teaches it.
   */
  relaxed?: boolean;
}

/** The client side of request/reply. */
export interface ZmqRequester<T> extends ZmqEnd<Request> {
  /**
   * Sends `message` and resolves with the reply. Waits while no REP is connected (REQ never
   * drops) and then for the reply; `timeoutMs`/`signal` bound both waits together.
   * Rejects with `InvalidArgument` ("REQ alternation") when called while another request is
   * in progress, or (strict mode) while the reply to a timed-out request is still owed: the
   * socket cannot send again until that reply arrives. `ChannelClosed` after close.
   */
  request(message: T, options?: WaitOptions): Promise<T>;
  /** Idempotent; a request in progress rejects with `ChannelClosed`. */
  close(): Promise<void>;
  readonly closed: boolean;
}

/** The server side of request/reply: a `Receiver` of requests that must each be answered. */
export interface ZmqReplier<T> extends Receiver<T>, ZmqEnd<Reply> {
  /**
   * Answers the request last returned by `recv()` (or iteration); ZeroMQ routes it to the
   * client that asked. Rejects with `InvalidArgument` ("REP alternation") when there is no
   * request to answer. Resolves once queued; a client that went away is silently skipped.
   */
  reply(message: T, options?: WaitOptions): Promise<void>;
}

const alternation = (socket: "REQ" | "REP", text: string): ChannelError =>
  new ChannelError("InvalidArgument", `${socket} alternation: ${text}`);

/**
 * Opens a REQ socket (usually connecting to a REP's `endpoint`). One codec serves both
 * directions: use a tagged union for distinct request and reply types.
 *
 * - Blocking/ordering: one request at a time, by construction; the reply is the answer to it.
 * - Timeouts: in strict mode a timed-out request leaves the socket owing a receive; requests
 *   fail fast until the late reply arrives (then it is discarded and the socket is usable
 *   again). For retries, close it and open a new requester (the zguide's "lazy pirate"), or
 *   pass `relaxed: true`.
 * - Close: idempotent; a pending request rejects with `ChannelClosed`.
 *
 * @example
 * const server = await zmqReplier(utf8Codec, { bind: zmqEndpoint("tcp") });
 * const client = await zmqRequester(utf8Codec, { connect: server.endpoint });
 * const answer = client.request("ping", { timeoutMs: 1000 });
 * await server.recv(); await server.reply("pong");
 * console.log(await answer); // "pong"
 */
export async function zmqRequester<T>(
  codec: ZmqCodec<T>,
  options: ZmqRequesterOptions,
): Promise<ZmqRequester<T>> {
  const parts = asPartsCodec(codec);
  const relaxed = options.relaxed ?? false;
  const handle = await openSocket(
    "REQ",
    (zmq) => {
      const socket = new zmq.Request();
      if (relaxed) {
        socket.relaxed = true;
        socket.correlate = true;
      }
      return socket;
    },
    options,
  );
  const { socket, label } = handle;
  const queue = new SendQueue(socket, label);
  let inProgress = false;
  // The receive for a reply still owed by a timed-out request (zeromq.js cannot cancel it).
  let owed: Promise<Buffer[]> | undefined;
  const closedError = (): ChannelError => new ChannelError("ChannelClosed", `${label} was closed`);
  handle.onClose(() => queue.close(closedError()));

  const receiveReply = (): Promise<Buffer[]> =>
    socket.receive().catch((err: unknown) => {
      // With ZMQ_REQ_CORRELATE a late reply to an abandoned request makes the socket readable,
      // then libzmq drops it and the read fails with EAGAIN, which zeromq.js passes on
      // instead of waiting again: keep waiting for the real reply.
      if (!socket.closed && (err as { code?: unknown }).code === "EAGAIN") return receiveReply();
      throw err;
    });

  const awaitReply = (options: WaitOptions | undefined): Promise<Buffer[]> => {
    // close() may have run while the send was settling: receive() would throw EBADF.
    if (handle.closed) return Promise.reject(closedError());
    const receiving = owed ?? receiveReply();
    owed = receiving;
    const settled = (): void => {
      if (owed === receiving) owed = undefined;
    };
    receiving.then(settled, settled);
    return waitWith<Buffer[]>(`request on ${label}`, options, (resolve, reject) => {
      receiving.then(resolve, (err: unknown) =>
        reject(channelErrorFrom(label, err, socket.closed)),
      );
      // The receive stays in flight after a timeout: it is what `owed` waits for.
      return () => {};
    });
  };

  const requester: ZmqRequester<T> = {
    ...endOf(handle),
    async request(message, opts) {
      if (handle.closed) throw closedError();
      if (inProgress) {
        throw alternation(
          "REQ",
          `request() on ${label} while another request awaits its reply; a REQ socket sends ` +
            `one request, then must receive its reply. Await the first request(), or use ` +
            `zmqDealer for overlapping requests.`,
        );
      }
      if (owed && !relaxed) {
        throw alternation(
          "REQ",
          `the previous request on ${label} timed out and its reply has not arrived; a strict ` +
            `REQ socket cannot send until it does. Close this requester and open a new one ` +
            `(lazy pirate), or open it with relaxed: true.`,
        );
      }
      const encoded = parts.encodeParts(message);
      checkSize(label, encoded, handle.maxMessageBytes);
      inProgress = true;
      try {
        const deadline = opts?.timeoutMs === undefined ? undefined : Date.now() + opts.timeoutMs;
        await queue.send(encoded, opts);
        const rest: WaitOptions = {};
        if (deadline !== undefined) rest.timeoutMs = Math.max(0, deadline - Date.now());
        if (opts?.signal) rest.signal = opts.signal;
        const reply = await awaitReply(rest);
        const bytes = partsBytes(reply);
        if (bytes > handle.maxMessageBytes) throw tooLarge(label, bytes, handle.maxMessageBytes);
        return parts.decodeParts(reply);
      } finally {
        inProgress = false;
      }
    },
    async close() {
      handle.close();
    },
    get closed() {
      return handle.closed;
    },
  };
  return requester;
}

/**
 * Opens a REP socket (usually binding an endpoint for clients to connect to). Requests are
 * fair-queued from all clients; each reply goes back to the client that asked.
 *
 * - Alternation: `recv()`, then `reply()`, then `recv()`... `recv()` while a reply is owed
 *   (or while another `recv()` is pending) and `reply()` with nothing to answer reject with
 *   `InvalidArgument` ("REP alternation").
 * - Blocking: `recv()` waits for a request; a timeout does not lose it (the next `recv()`
 *   returns it). Async iteration yields requests until close; reply to each before the next.
 * - Close: idempotent; a pending `recv()` rejects with `ChannelClosed`, iteration ends.
 *
 * @example
 * const server = await zmqReplier(jsonCodec<Msg>(), { bind: zmqEndpoint("ipc", "calc") });
 * for await (const req of server) await server.reply({ type: "sum", value: req.a + req.b });
 */
export async function zmqReplier<T>(
  codec: ZmqCodec<T>,
  options: ZmqSocketOptions,
): Promise<ZmqReplier<T>> {
  const parts = asPartsCodec(codec);
  const handle = await openSocket("REP", (zmq) => new zmq.Reply(), options);
  const { socket, label } = handle;
  const queue = new SendQueue(socket, label);
  const inbox = new Inbox<T>(label);
  let receiving = false;
  let waiting = false;
  let owesReply = false;
  handle.onClose(() => {
    const err = new ChannelError("ChannelClosed", `${label} was closed`);
    queue.close(err);
    inbox.close(err);
  });

  // REP may hold at most one request: the next receive starts only after the reply.
  const receiveOne = (): void => {
    if (receiving || inbox.size > 0 || handle.closed) return;
    receiving = true;
    socket.receive().then(
      (frames) => {
        receiving = false;
        const bytes = partsBytes(frames);
        try {
          if (bytes > handle.maxMessageBytes) throw tooLarge(label, bytes, handle.maxMessageBytes);
          inbox.push(parts.decodeParts(frames), bytes);
        } catch (err) {
          inbox.end(channelErrorFrom(label, err, false));
          handle.close();
        }
      },
      (err: unknown) => {
        receiving = false;
        if (!handle.closed) inbox.end(channelErrorFrom(label, err, false));
      },
    );
  };

  const recv = async (opts?: WaitOptions): Promise<T> => {
    if (owesReply) {
      throw alternation(
        "REP",
        `recv() on ${label} before reply() to the previous request; a REP socket must answer ` +
          `each request before it can receive the next.`,
      );
    }
    if (waiting) {
      throw alternation(
        "REP",
        `recv() on ${label} while another recv() is pending; a REP socket holds one request at ` +
          `a time.`,
      );
    }
    receiveOne();
    waiting = true;
    try {
      const request = await inbox.recv(opts);
      owesReply = true;
      return request;
    } finally {
      waiting = false;
    }
  };

  const replier: ZmqReplier<T> = {
    ...endOf(handle),
    recv,
    async reply(message, opts) {
      if (handle.closed) throw new ChannelError("ChannelClosed", `${label} was closed`);
      if (!owesReply) {
        throw alternation(
          "REP",
          `reply() on ${label} with no request to answer; call recv() first.`,
        );
      }
      const encoded = parts.encodeParts(message);
      checkSize(label, encoded, handle.maxMessageBytes);
      await queue.send(encoded, opts);
      owesReply = false;
    },
    async close() {
      handle.close();
    },
    get closed() {
      return handle.closed;
    },
    [Symbol.asyncIterator]() {
      // Each step is a recv(), so the alternation rules hold for iteration too.
      const iterator: AsyncIterableIterator<T> = {
        next: () =>
          recv().then(
            (value) => ({ value, done: false }),
            (err: unknown) => {
              if (handle.closed && (err as { code?: unknown }).code === "ChannelClosed") {
                return { value: undefined, done: true };
              }
              throw err;
            },
          ),
        return: async () => ({ value: undefined, done: true }),
        [Symbol.asyncIterator]: () => iterator,
      };
      return iterator;
    },
  };
  return replier;
}
