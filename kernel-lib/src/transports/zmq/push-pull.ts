/**
 * PUSH/PULL, ZeroMQ's pipeline pattern, as a kernel-lib `Sender` and `Receiver`.
 */
import type { Pull, Push } from "zeromq";
import type { Receiver, Sender } from "../../channel";
import { markersToEnd } from "./end-marker";
import { asPartsCodec, type ZmqCodec } from "./parts";
import { openReceiverSide } from "./receiver-side";
import { openSenderSide } from "./sender-side";
import { endOf, openSocket, type ZmqEnd, type ZmqSocketOptions } from "./socket-handle";

/** Options for {@link zmqPush}. */
export interface ZmqPushOptions extends ZmqSocketOptions {
  /**
   * On `close()`, send the end marker so a PULL opened with `endMarker` ends its stream
   * (ZeroMQ itself has no end-of-stream). Default false. Needs `lingerMs` > 0: ZeroMQ drops
   * what is still queued at close when linger is 0, the marker included.
   */
  endMarker?: boolean;
}

/** Options for {@link zmqPull}. */
export interface ZmqPullOptions extends ZmqSocketOptions {
  /**
   * End the stream after this many end markers (`true` = 1; one per PUSH feeding this PULL).
   * Default: never; the receiver then ends only when closed locally.
   */
  endMarker?: boolean | number;
}

/** The sending end of a pipeline. */
export interface ZmqPush<T> extends Sender<T>, ZmqEnd<Push> {}
/** The receiving end of a pipeline. */
export interface ZmqPull<T> extends Receiver<T>, ZmqEnd<Pull> {}

/**
 * Opens a PUSH socket: the sending end of a pipeline. Each message goes to one connected PULL,
 * round-robin when there are several.
 *
 * - Blocking: `send()` resolves once ZeroMQ queued the message. When the queues towards every
 *   peer are full (the high-water marks), or no peer has connected yet, `send()` waits: PUSH
 *   never drops. `timeoutMs`/`signal` give up without sending.
 * - Ordering: messages from one PUSH reach a PULL in send order, whole, each once.
 * - Zero-copy: a `Uint8Array` over 128 bytes is handed to ZeroMQ without a copy; do not change
 *   it after `send()` (a codec that encodes a fresh array, like `jsonCodec`, is always safe).
 * - Close: idempotent; sends waiting for their turn reject with `ChannelClosed`. With
 *   `endMarker`, the send in progress and the end marker get up to `lingerMs`; queued messages
 *   are flushed in the background for up to `lingerMs`.
 *
 * @example
 * const rx = await zmqPull(jsonCodec<Job>(), { bind: zmqEndpoint("tcp"), endMarker: true });
 * const tx = await zmqPush(jsonCodec<Job>(), { connect: rx.endpoint, endMarker: true });
 * await tx.send({ id: 1 }); await tx.close();
 * for await (const job of rx) console.log(job); // ends after the end marker
 */
export async function zmqPush<T>(codec: ZmqCodec<T>, options: ZmqPushOptions): Promise<ZmqPush<T>> {
  const parts = asPartsCodec(codec);
  const handle = await openSocket("PUSH", (zmq) => new zmq.Push(), options);
  const side = openSenderSide(handle, options.endMarker ?? false);
  return {
    ...endOf(handle),
    send: (message, opts) => {
      let encoded: Uint8Array[];
      try {
        encoded = parts.encodeParts(message);
      } catch (err) {
        return Promise.reject(err);
      }
      return side.sendParts(encoded, opts);
    },
    close: () => side.close(),
    get closed() {
      return side.closed;
    },
  };
}

/**
 * Opens a PULL socket: the receiving end of a pipeline, fair-queuing from every connected PUSH.
 *
 * - Blocking: `recv()` waits for the next message; `timeoutMs`/`signal` give up without
 *   consuming it. Several pending `recv()` calls are served in call order.
 * - Ordering: per sender, in send order; messages from different senders interleave.
 * - End: ZeroMQ has no end-of-stream, so by default iteration ends only on local `close()`.
 *   With `endMarker`, the stream ends after the marker(s) of `zmqPush({ endMarker: true })`:
 *   held messages are delivered, then `recv()` rejects with `ChannelClosed`.
 * - Close: idempotent; pending and later `recv()` calls reject with `ChannelClosed`; the socket
 *   (and an ipc directory made by `zmqEndpoint`) is released. A message over
 *   `maxMessageBytes` fails the receiver with `MessageTooLarge`, a message that is not one
 *   frame (for a one-frame codec) with `CorruptFrame`.
 *
 * @example
 * const rx = await zmqPull(utf8Codec, { bind: zmqEndpoint("ipc", "results") });
 * console.log(await rx.recv({ timeoutMs: 1000 }));
 * await rx.close();
 */
export async function zmqPull<T>(codec: ZmqCodec<T>, options: ZmqPullOptions): Promise<ZmqPull<T>> {
  const parts = asPartsCodec(codec);
  const endMarkers = markersToEnd(options.endMarker);
  const handle = await openSocket("PULL", (zmq) => new zmq.Pull(), options);
  const side = openReceiverSide(handle, (frames) => parts.decodeParts(frames), endMarkers);
  return {
    ...endOf(handle),
    recv: (opts) => side.recv(opts),
    close: () => side.close(),
    get closed() {
      return side.closed;
    },
    [Symbol.asyncIterator]: () => side[Symbol.asyncIterator](),
  };
}
