/**
 * The sending half shared by PUSH, PUB, ROUTER and DEALER: codec, size limit and the
 * one-at-a-time `SendQueue`, with the contract's close behaviour and optional end marker.
 */
import type { Socket, Writable } from "zeromq";
import { ChannelError, type WaitOptions } from "../../channel";
import { endMarkerParts } from "./end-marker";
import { checkSize } from "./parts";
import { SendQueue, type SendErrorMapper } from "./send-queue";
import type { SocketHandle } from "./socket-handle";

/** The sending half as the factories use it. */
export interface SenderSide {
  /** Sends the frames of one message (already encoded) under the size limit. */
  sendParts(parts: Uint8Array[], options?: WaitOptions): Promise<void>;
  /** Stops sending (and sends the end marker first when asked); see `openSenderSide`. */
  close(): Promise<void>;
  readonly closed: boolean;
}

/**
 * Opens the sending half on `handle`. `close()` fails sends still waiting for their turn with
 * `ChannelClosed`; with `endMarker`, it first lets the send in progress finish and sends the
 * end marker, both within the socket's linger time, then closes the socket (ZeroMQ goes on
 * flushing queued messages for up to the linger time in the background).
 */
export function openSenderSide<S extends Socket & Pick<Writable, "send" | "sendTimeout">>(
  handle: SocketHandle<S>,
  endMarker = false,
  mapError?: SendErrorMapper,
  tryAtOnce = false,
): SenderSide {
  const queue = new SendQueue(handle.socket, handle.label, mapError, tryAtOnce);
  const closedError = (): ChannelError =>
    new ChannelError("ChannelClosed", `${handle.label} was closed`);
  handle.onClose(() => queue.close(closedError()));
  let closing: Promise<void> | undefined;
  return {
    sendParts(parts, options) {
      if (closing) return Promise.reject(closedError());
      try {
        checkSize(handle.label, parts, handle.maxMessageBytes);
      } catch (err) {
        return Promise.reject(err);
      }
      return queue.send(parts, options);
    },
    close() {
      closing ??= (async () => {
        if (endMarker && !handle.closed) {
          await queue.finish(closedError(), endMarkerParts(), handle.lingerMs);
        }
        handle.close();
      })();
      return closing;
    },
    get closed() {
      return closing !== undefined || handle.closed;
    },
  };
}
