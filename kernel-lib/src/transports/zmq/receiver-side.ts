/**
 * The receiving half shared by PULL, SUB, ROUTER and DEALER: an `Inbox` fed by the receive
 * pump, with the contract's close behaviour and optional end markers.
 */
import type { Readable, Socket } from "zeromq";
import { ChannelError, type Receiver, type WaitOptions } from "../../channel";
import { Inbox } from "../../internal/inbox";
import { isEndMarker } from "./end-marker";
import { partsBytes } from "./parts";
import { startPump, tooLarge, weightOf, type ReceivePump } from "./receive-pump";
import type { SocketHandle } from "./socket-handle";

/**
 * Opens the receiving half on `handle`. `decode` turns the frames of one message into the
 * value `recv()` yields (throwing `CorruptFrame` for frames it cannot use). With
 * `endMarkers > 0`, the stream ends after that many end markers: held messages are still
 * delivered, then `recv()` rejects with `ChannelClosed`, iteration ends, and the socket is
 * released at once (it has nothing more to receive).
 */
export function openReceiverSide<T, S extends Socket & Pick<Readable, "receive">>(
  handle: SocketHandle<S>,
  decode: (parts: Buffer[]) => T,
  endMarkers = 0,
): Receiver<T> {
  // onTake only runs once a reader takes a message, after `pump` below is assigned.
  const inbox = new Inbox<T>(handle.label, () => pump.resume());
  let markersSeen = 0;
  let endedByStream = false;
  // A release at end-of-stream must keep held messages readable: only an explicit close()
  // (or closeAll) drops them.
  handle.onClose(() => {
    if (!endedByStream) inbox.close();
  });
  const deliver = (parts: Buffer[]): void | "end" => {
    if (endMarkers > 0 && isEndMarker(parts)) {
      return ++markersSeen >= endMarkers ? "end" : undefined;
    }
    const bytes = partsBytes(parts);
    if (bytes > handle.maxMessageBytes) throw tooLarge(handle.label, bytes, handle.maxMessageBytes);
    inbox.push(decode(parts), weightOf(bytes));
  };
  const pump: ReceivePump = startPump(
    handle.socket,
    handle.label,
    inbox,
    handle.readAhead,
    deliver,
    () => {
      endedByStream = true;
      handle.close();
    },
  );
  return {
    recv: (options?: WaitOptions) => inbox.recv(options),
    async close() {
      inbox.close(new ChannelError("ChannelClosed", `${handle.label} was closed`));
      handle.close();
    },
    get closed() {
      return inbox.drained;
    },
    [Symbol.asyncIterator]: () => inbox.iterate(),
  };
}
