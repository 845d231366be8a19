/**
 * The receiving half shared by PULL, SUB, ROUTER and DEALER: an `Inbox` fed by the receive
 * pump, with the contract's close behaviour and optional end markers.
 */
import type { Readable, Socket } from "zeromq";
import { ChannelError, isChannelError, type Receiver, type WaitOptions } from "../../channel";
import { Inbox } from "../../internal/inbox";
import { isEndMarker } from "./end-marker";
import { partsBytes } from "./parts";
import { startPump, tooLarge, weightOf, type ReceivePump } from "./receive-pump";
import { channelErrorFrom, type SocketHandle } from "./socket-handle";

/** What one received message turned out to be, besides a value. */
const SKIPPED = Symbol("an end marker that does not end the stream yet");
const ENDED = Symbol("the end marker that ends the stream");
const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * Opens the receiving half on `handle`. `decode` turns the frames of one message into the
 * value `recv()` yields (throwing `CorruptFrame` for frames it cannot use). With
 * `endMarkers > 0`, the stream ends after that many end markers: held messages are still
 * delivered, then `recv()` rejects with `ChannelClosed`, iteration ends, and the socket is
 * released at once (it has nothing more to receive).
 *
 * A lone reader (plain `recv()` or iteration, nothing held, nobody else waiting) takes each
 * message straight from the socket; everything else goes through the inbox. Why: the inbox's
 * wait carries timer and abort bookkeeping (closures per call) that measured, under tsx, as
 * about 40% more CPU per 64 B message than zeromq.js's own receive loop; with the shortcut
 * the two are level (`npm run bench -- zmq`).
 */
export function openReceiverSide<T, S extends Socket & Pick<Readable, "receive">>(
  handle: SocketHandle<S>,
  decode: (parts: Buffer[]) => T,
  endMarkers = 0,
): Receiver<T> {
  const { socket, label } = handle;
  // onTake only runs once a reader takes a message, after `pump` below is assigned.
  const inbox = new Inbox<T>(label, () => pump.resume());
  let markersSeen = 0;
  let endedByStream = false;
  let lastBytes = 0;
  // A release at end-of-stream must keep held messages readable: only an explicit close()
  // (or closeAll) drops them.
  handle.onClose(() => {
    if (!endedByStream) inbox.close();
  });
  const release = (): void => {
    endedByStream = true;
    handle.close();
  };
  /** Decodes one message (throwing for an oversize or undecodable one) or spots a marker. */
  const classify = (parts: Buffer[]): T | typeof SKIPPED | typeof ENDED => {
    if (endMarkers > 0 && isEndMarker(parts)) {
      return ++markersSeen >= endMarkers ? ENDED : SKIPPED;
    }
    lastBytes = partsBytes(parts);
    if (lastBytes > handle.maxMessageBytes) {
      throw tooLarge(label, lastBytes, handle.maxMessageBytes);
    }
    return decode(parts);
  };
  const pump: ReceivePump = startPump(
    socket,
    label,
    inbox,
    handle.readAhead,
    (parts) => {
      const outcome = classify(parts);
      if (outcome === ENDED) return "end";
      if (outcome === SKIPPED) return "skipped";
      inbox.push(outcome, weightOf(lastBytes));
      return "pushed";
    },
    release,
  );
  /** Ends the stream with `err` (later receives fail with it) and returns it. */
  const failWith = (err: unknown): ChannelError => {
    const failure = channelErrorFrom(label, err, false);
    inbox.end(failure);
    release();
    return failure;
  };
  const endStream = (): void => {
    inbox.end();
    release();
  };
  const gaveUp = (err: unknown): void => {
    if (isChannelError(err, "Timeout") || isChannelError(err, "Aborted")) pump.withdraw();
  };

  // recv() for a lone reader: the message comes straight from the socket.
  const recvDirect = (parts: Buffer[]): T | Promise<T> => {
    pump.release();
    let outcome: T | typeof SKIPPED | typeof ENDED;
    try {
      outcome = classify(parts);
    } catch (err) {
      throw failWith(err);
    }
    if (outcome === SKIPPED) return receiver.recv();
    if (outcome === ENDED) {
      endStream();
      return inbox.recv(); // ended and empty: rejects with ChannelClosed
    }
    return outcome;
  };
  const recvDirectFailed = (err: unknown): Promise<T> => {
    pump.release();
    if (socket.closed) return inbox.recv(); // closed: rejects with ChannelClosed
    throw failWith(err);
  };

  const receiver: Receiver<T> = {
    recv(options?: WaitOptions) {
      if (options === undefined && pump.claim()) {
        try {
          return socket.receive().then(recvDirect, recvDirectFailed);
        } catch {
          pump.release(); // receive() threw synchronously (closed): the inbox says why
        }
      }
      if (inbox.size > 0) return inbox.recv(options);
      pump.demand();
      const receiving = inbox.recv(options);
      if (options?.timeoutMs !== undefined || options?.signal) receiving.then(undefined, gaveUp);
      return receiving;
    },
    async close() {
      inbox.close(new ChannelError("ChannelClosed", `${label} was closed`));
      handle.close();
    },
    get closed() {
      return inbox.drained;
    },
    [Symbol.asyncIterator]() {
      // The inbox's own iterator, with the lone-reader shortcut and told about demand.
      const inner = inbox.iterate();
      const viaInbox = (): Promise<IteratorResult<T>> => {
        if (inbox.size === 0) pump.demand();
        return inner.next();
      };
      const nextDirect = (parts: Buffer[]): IteratorResult<T> | Promise<IteratorResult<T>> => {
        pump.release();
        let outcome: T | typeof SKIPPED | typeof ENDED;
        try {
          outcome = classify(parts);
        } catch (err) {
          throw failWith(err);
        }
        if (outcome === SKIPPED) return iterator.next();
        if (outcome === ENDED) {
          endStream();
          return DONE;
        }
        return { value: outcome, done: false };
      };
      const nextDirectFailed = (err: unknown): Promise<IteratorResult<T>> => {
        pump.release();
        if (socket.closed) return inner.next(); // closed: iteration ends
        throw failWith(err);
      };
      const iterator: AsyncIterableIterator<T> = {
        next() {
          if (!pump.claim()) return viaInbox();
          try {
            return socket.receive().then(nextDirect, nextDirectFailed);
          } catch {
            pump.release();
            return viaInbox();
          }
        },
        return: () => inner.return?.() ?? Promise.resolve(DONE),
        [Symbol.asyncIterator]: () => iterator,
      };
      return iterator;
    },
  };
  return receiver;
}
