/**
 * PUB/SUB, ZeroMQ's fan-out pattern with topics. On the wire a message is
 * `[topic, ...frames of the encoded message]`; subscribers filter on topic prefixes.
 */
import type { Subscriber, XPublisher } from "zeromq";
import { ChannelError, type Receiver, type WaitOptions } from "../../channel";
import { utf8Codec } from "../../codec";
import { waitWith } from "../../internal/wait";
import { asPartsCodec, type ZmqCodec } from "./parts";
import { openReceiverSide } from "./receiver-side";
import { openSenderSide } from "./sender-side";
import { endOf, openSocket, type ZmqEnd, type ZmqSocketOptions } from "./socket-handle";

/** What a subscriber receives: the topic it was published under and the decoded message. */
export interface TopicMessage<T> {
  topic: string;
  message: T;
}

/** The publishing side of PUB/SUB. */
export interface ZmqPublisher<T> extends ZmqEnd<XPublisher> {
  /**
   * Publishes `message` under `topic` to every subscriber whose subscription is a prefix of
   * `topic`. Never waits for a slow subscriber: when its queue is full (the high-water
   * marks) the message is dropped for that subscriber. Resolves at once; rejects with
   * `ChannelClosed` after close, `MessageTooLarge` over the limit.
   */
  send(topic: string, message: T, options?: WaitOptions): Promise<void>;
  /**
   * Resolves once at least `count` subscriptions that match `topic` are active (subscriptions
   * reach the publisher asynchronously, after connecting: messages published before that are
   * not delivered, the zguide's "slow joiner"). Rejects with `Timeout`/`Aborted` per `options`,
   * `ChannelClosed` on close.
   */
  waitForSubscribers(topic?: string, count?: number, options?: WaitOptions): Promise<void>;
  /** Idempotent. Pending `waitForSubscribers` calls reject with `ChannelClosed`. */
  close(): Promise<void>;
  readonly closed: boolean;
}

/** The subscribing side of PUB/SUB: a `Receiver` of `{ topic, message }`. */
export interface ZmqSubscriber<T> extends Receiver<TopicMessage<T>>, ZmqEnd<Subscriber> {
  /** Starts receiving topics that begin with any of `prefixes` ("" = everything). */
  subscribe(...prefixes: string[]): void;
  /** Stops a subscription made with the same prefix. */
  unsubscribe(...prefixes: string[]): void;
}

/** Options for {@link zmqSubscriber}. */
export interface ZmqSubscriberOptions extends ZmqSocketOptions {
  /** Topic prefixes to subscribe to from the start. Default: none (receives nothing). */
  topics?: readonly string[];
}

interface SubscriberWaiter {
  topic: string;
  count: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Opens a publisher (usually binding). Built on XPUB so that it can see subscriptions
 * arrive, which `waitForSubscribers` uses; it sends exactly like PUB.
 *
 * - Blocking: `send()` never waits for subscribers; a subscriber that is too slow loses
 *   messages instead of slowing the publisher down. Messages published while nobody
 *   matching is subscribed are dropped.
 * - Ordering: each subscriber receives what it gets in publish order.
 * - Close: idempotent; nothing more is published.
 *
 * @example
 * const pub = await zmqPublisher(jsonCodec<Quote>(), { bind: zmqEndpoint("tcp") });
 * const sub = await zmqSubscriber(jsonCodec<Quote>(), { connect: pub.endpoint, topics: ["fx."] });
 * await pub.waitForSubscribers("fx.eur", 1, { timeoutMs: 2000 });
 * await pub.send("fx.eur", { bid: 1.08 });
 * console.log(await sub.recv()); // { topic: "fx.eur", message: { bid: 1.08 } }
 */
export async function zmqPublisher<T>(
  codec: ZmqCodec<T>,
  options: ZmqSocketOptions,
): Promise<ZmqPublisher<T>> {
  const parts = asPartsCodec(codec);
  const handle = await openSocket(
    "PUB",
    (zmq) => {
      const socket = new zmq.XPublisher();
      // Every subscribe and unsubscribe, not just the first per topic, so counts are per
      // subscriber.
      socket.verbosity = "allSubsUnsubs";
      return socket;
    },
    options,
  );
  const { socket, label } = handle;
  const side = openSenderSide(handle);
  const active: string[] = [];
  const waiters = new Set<SubscriberWaiter>();
  const matching = (topic: string): number => active.filter((p) => topic.startsWith(p)).length;
  const settle = (): void => {
    for (const w of waiters) {
      if (matching(w.topic) >= w.count) {
        waiters.delete(w);
        w.resolve();
      }
    }
  };
  handle.onClose(() => {
    const err = new ChannelError("ChannelClosed", `${label} was closed`);
    for (const w of waiters) w.reject(err);
    waiters.clear();
  });

  // Subscription messages: byte 1 (subscribe) or 0 (unsubscribe), then the prefix. One
  // receive stays in flight for the publisher's lifetime; close ends it.
  void (async () => {
    try {
      for (;;) {
        const [frame] = await socket.receive();
        if (!frame || frame.byteLength === 0) continue;
        const prefix = frame.subarray(1).toString("utf8");
        if (frame[0] === 1) active.push(prefix);
        else if (frame[0] === 0) {
          const i = active.indexOf(prefix);
          if (i >= 0) active.splice(i, 1);
        }
        settle();
      }
    } catch {
      // Closed: the pending receive fails with EAGAIN.
    }
  })();

  return {
    ...endOf(handle),
    send(topic, message, opts) {
      let encoded: Uint8Array[];
      try {
        encoded = [utf8Codec.encode(topic), ...parts.encodeParts(message)];
      } catch (err) {
        return Promise.reject(err);
      }
      return side.sendParts(encoded, opts);
    },
    waitForSubscribers(topic = "", count = 1, opts) {
      if (handle.closed) {
        return Promise.reject(new ChannelError("ChannelClosed", `${label} was closed`));
      }
      if (matching(topic) >= count) return Promise.resolve();
      return waitWith<void>(`waitForSubscribers on ${label}`, opts, (resolve, reject) => {
        const waiter: SubscriberWaiter = { topic, count, resolve, reject };
        waiters.add(waiter);
        return () => waiters.delete(waiter);
      });
    },
    close: () => side.close(),
    get closed() {
      return side.closed;
    },
  };
}

/**
 * Opens a subscriber (usually connecting to a publisher's `endpoint`). Subscriptions are
 * topic prefixes: `"fx."` matches `"fx.eur"` and `"fx.usd"`; `""` matches everything.
 *
 * - Blocking: `recv()` waits for the next matching message; `timeoutMs`/`signal` give up
 *   without consuming it. Nothing pushes back on the publisher: a subscriber that reads
 *   too slowly loses messages once its queues (the high-water marks) are full.
 * - Ordering: publish order, with gaps where messages were dropped.
 * - End: PUB/SUB has no end-of-stream; iteration ends on local `close()`.
 * - Close: idempotent; pending `recv()` calls reject with `ChannelClosed`. A message that is
 *   not `[topic, ...frames]` fails the receiver with `CorruptFrame`.
 *
 * @example
 * const sub = await zmqSubscriber(utf8Codec, { connect: endpoint, topics: ["alerts"] });
 * for await (const { topic, message } of sub) console.log(topic, message);
 */
export async function zmqSubscriber<T>(
  codec: ZmqCodec<T>,
  options: ZmqSubscriberOptions,
): Promise<ZmqSubscriber<T>> {
  const parts = asPartsCodec(codec);
  const handle = await openSocket(
    "SUB",
    (zmq) => {
      const socket = new zmq.Subscriber();
      // Subscribing before connect puts the subscription in the handshake: no message
      // published after the connection is up can slip past it.
      const topics = options.topics ?? [];
      if (topics.length > 0) socket.subscribe(...topics);
      return socket;
    },
    options,
  );
  const side = openReceiverSide(handle, (frames) => {
    const [topicFrame, ...body] = frames;
    if (!topicFrame || body.length === 0) {
      throw new ChannelError(
        "CorruptFrame",
        `${handle.label}: expected [topic, ...message frames], got ${frames.length} frame(s)`,
      );
    }
    return { topic: utf8Codec.decode(topicFrame), message: parts.decodeParts(body) };
  });
  // zeromq.js treats a call without prefixes as "everything": never let an empty spread do that.
  const needPrefixes = (what: string, prefixes: string[]): void => {
    if (prefixes.length === 0) {
      throw new ChannelError("InvalidArgument", `${what} needs at least one prefix ("" = all)`);
    }
  };
  return {
    ...endOf(handle),
    subscribe(...prefixes) {
      needPrefixes("subscribe", prefixes);
      handle.socket.subscribe(...prefixes);
    },
    unsubscribe(...prefixes) {
      needPrefixes("unsubscribe", prefixes);
      handle.socket.unsubscribe(...prefixes);
    },
    recv: (opts) => side.recv(opts),
    close: () => side.close(),
    get closed() {
      return side.closed;
    },
    [Symbol.asyncIterator]: () => side[Symbol.asyncIterator](),
  };
}
