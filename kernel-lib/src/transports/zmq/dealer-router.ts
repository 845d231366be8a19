/**
 * DEALER/ROUTER, ZeroMQ's asynchronous request/reply: a DEALER sends and receives freely
 * (no alternation), a ROUTER sees which peer each message came from and addresses replies.
 * On the wire a ROUTER prepends the sender's identity frame to each message it receives and
 * strips it from each message it sends.
 */
import type { Dealer, Router } from "zeromq";
import { ChannelError, type Channel, type Receiver, type WaitOptions } from "../../channel";
import { asPartsCodec, type ZmqCodec } from "./parts";
import { openReceiverSide } from "./receiver-side";
import { openSenderSide } from "./sender-side";
import { endOf, openSocket, type ZmqEnd, type ZmqSocketOptions } from "./socket-handle";

/** What a router receives: who sent it (the routing id frame) and the decoded message. */
export interface RoutedMessage<T> {
  identity: Uint8Array;
  message: T;
}

/** Options for {@link zmqDealer}. */
export interface ZmqDealerOptions extends ZmqSocketOptions {
  /** The identity a ROUTER sees for this dealer (1-255 bytes). Default: ZeroMQ picks one. */
  routingId?: string;
}

/** Options for {@link zmqRouter}. */
export interface ZmqRouterOptions extends ZmqSocketOptions {
  /**
   * ZMQ_ROUTER_MANDATORY, default true: `sendTo` an unknown identity rejects with
   * `PeerFailed`, and a peer whose queue is full makes `sendTo` wait. With false, ROUTER's
   * native behaviour: both are silently dropped.
   */
  mandatory?: boolean;
}

/** A DEALER end: a bidirectional `Channel`. */
export interface ZmqDealer<T> extends Channel<T>, ZmqEnd<Dealer> {}

/** A ROUTER end: receives `{ identity, message }`, replies with `sendTo(identity, ...)`. */
export interface ZmqRouter<T> extends Receiver<RoutedMessage<T>>, ZmqEnd<Router> {
  /**
   * Sends `message` to the peer with `identity` (as received in a `RoutedMessage`, or a
   * dealer's `routingId`). See `mandatory` for unknown peers and full queues.
   */
  sendTo(identity: Uint8Array | string, message: T, options?: WaitOptions): Promise<void>;
}

/**
 * Opens a DEALER socket. Messages go round-robin to connected peers and arrive fair-queued
 * from them; no send/receive alternation.
 *
 * - Blocking: `send()` waits while every peer's queue is full or no peer is connected (DEALER
 *   never drops); `recv()` waits for a message. Both take `timeoutMs`/`signal`.
 * - Ordering: per peer and direction, in send order.
 * - Close: idempotent; pending sends and receives reject with `ChannelClosed`. No
 *   end-of-stream: iteration ends on local close. Talking to a REP, put an empty delimiter
 *   frame first (use `multipartCodec`).
 *
 * @example
 * const router = await zmqRouter(utf8Codec, { bind: zmqEndpoint("inproc") });
 * const dealer = await zmqDealer(utf8Codec, { connect: router.endpoint, routingId: "w1" });
 * await dealer.send("ready");
 * const { identity } = await router.recv();
 * await router.sendTo(identity, "job 1");
 * console.log(await dealer.recv()); // "job 1"
 */
export async function zmqDealer<T>(
  codec: ZmqCodec<T>,
  options: ZmqDealerOptions,
): Promise<ZmqDealer<T>> {
  const parts = asPartsCodec(codec);
  const handle = await openSocket(
    "DEALER",
    (zmq) => {
      const socket = new zmq.Dealer();
      if (options.routingId !== undefined) socket.routingId = options.routingId;
      return socket;
    },
    options,
  );
  const sending = openSenderSide(handle);
  const receiving = openReceiverSide(handle, (frames) => parts.decodeParts(frames));
  return {
    ...endOf(handle),
    send(message, opts) {
      let encoded: Uint8Array[];
      try {
        encoded = parts.encodeParts(message);
      } catch (err) {
        return Promise.reject(err);
      }
      return sending.sendParts(encoded, opts);
    },
    recv: (opts) => receiving.recv(opts),
    async close() {
      await sending.close();
      await receiving.close();
    },
    get closed() {
      return receiving.closed;
    },
    [Symbol.asyncIterator]: () => receiving[Symbol.asyncIterator](),
  };
}

/**
 * Opens a ROUTER socket (usually binding). Each received message comes with the identity of
 * the peer that sent it; `sendTo` routes a message back to one peer.
 *
 * - Blocking: `recv()` waits; `sendTo` resolves once queued for that peer (waits while its
 *   queue is full when `mandatory`, the default).
 * - Ordering: per peer, in send order; peers interleave.
 * - Close: idempotent; pending receives and sends reject with `ChannelClosed`; iteration ends.
 *   A REQ peer's messages carry an empty delimiter frame after the identity: read them with
 *   `multipartCodec`.
 *
 * @example
 * for await (const { identity, message } of router) await router.sendTo(identity, message);
 */
export async function zmqRouter<T>(
  codec: ZmqCodec<T>,
  options: ZmqRouterOptions,
): Promise<ZmqRouter<T>> {
  const parts = asPartsCodec(codec);
  const handle = await openSocket(
    "ROUTER",
    (zmq) => {
      const socket = new zmq.Router();
      socket.mandatory = options.mandatory ?? true;
      return socket;
    },
    options,
  );
  const { label } = handle;
  const mandatory = options.mandatory ?? true;
  const unreachable = (err: unknown): ChannelError | undefined => {
    if ((err as { code?: unknown }).code !== "EHOSTUNREACH") return undefined;
    return new ChannelError("PeerFailed", `${label}: no connected peer has that identity`, {
      cause: err,
    });
  };
  const sending = openSenderSide(handle, false, unreachable, mandatory);
  const receiving = openReceiverSide(handle, (frames): RoutedMessage<T> => {
    const [identity, ...body] = frames;
    if (!identity || body.length === 0) {
      throw new ChannelError("CorruptFrame", `${label}: a message without a body`);
    }
    return { identity, message: parts.decodeParts(body) };
  });
  const textEncoder = new TextEncoder();
  return {
    ...endOf(handle),
    sendTo(identity, message, opts) {
      let encoded: Uint8Array[];
      try {
        const id = typeof identity === "string" ? textEncoder.encode(identity) : identity;
        encoded = [id, ...parts.encodeParts(message)];
      } catch (err) {
        return Promise.reject(err);
      }
      return sending.sendParts(encoded, opts);
    },
    recv: (opts) => receiving.recv(opts),
    async close() {
      await sending.close();
      await receiving.close();
    },
    get closed() {
      return receiving.closed;
    },
    [Symbol.asyncIterator]: () => receiving[Symbol.asyncIterator](),
  };
}
