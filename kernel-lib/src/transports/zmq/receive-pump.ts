/**
 * Moves messages from a zeromq.js socket into an `Inbox`, a bounded number ahead of the
 * readers: enough to keep the per-message cost low, few enough that ZeroMQ's high-water
 * marks, not an unbounded JavaScript queue, decide when a sender feels backpressure.
 */
import type { Readable, Socket } from "zeromq";
import { ChannelError } from "../../channel";
import type { Inbox } from "../../internal/inbox";
import { channelErrorFrom } from "./socket-handle";

type ReceivingSocket = Socket & Pick<Readable, "receive">;

/** Held bytes past which the pump pauses (each message also weighs MESSAGE_OVERHEAD). */
const READ_AHEAD_BYTES = 1024 * 1024;
const MESSAGE_OVERHEAD = 64;

/**
 * Handles one received message: pushes into the inbox, or returns "end" for an end marker
 * that ends the stream. Throwing (a decode error, an oversize message) fails the receiver.
 */
export type Deliver = (parts: Buffer[]) => void | "end";

/** The running pump; the inbox's `onTake` must call `resume()`. */
export interface ReceivePump {
  resume(): void;
}

/**
 * Pumps `socket` into `inbox`: one `receive()` in flight while fewer than `readAhead`
 * messages (and under 1 MiB) are held; paused otherwise until `resume()`. When the stream ends
 * (end marker) or fails, the inbox is ended (held messages stay readable) and `onEnd` runs
 * once. The socket's close ends the pump quietly (its pending receive fails with EAGAIN).
 *
 * @example
 * const inbox = new Inbox<T>(label, () => pump.resume());
 * const pump = startPump(socket, label, inbox, 16, (parts) => inbox.push(decode(parts)), release);
 */
export function startPump<T>(
  socket: ReceivingSocket,
  label: string,
  inbox: Inbox<T>,
  readAhead: number,
  deliver: Deliver,
  onEnd: () => void,
): ReceivePump {
  let running = false;
  const hasRoom = (): boolean => inbox.size < readAhead && inbox.heldBytes < READ_AHEAD_BYTES;

  async function pump(): Promise<void> {
    running = true;
    try {
      while (hasRoom() && !inbox.ended) {
        const parts = await socket.receive();
        if (deliver(parts) === "end") {
          inbox.end();
          onEnd();
        }
      }
    } catch (err) {
      if (!socket.closed && !inbox.ended) {
        inbox.end(channelErrorFrom(label, err, false));
        onEnd();
      }
    } finally {
      running = false;
    }
  }

  void pump();
  return {
    resume() {
      if (!running && !socket.closed && !inbox.ended) void pump();
    },
  };
}

/** Weight of a message in the inbox, for the read-ahead byte limit. */
export function weightOf(bytes: number): number {
  return bytes + MESSAGE_OVERHEAD;
}

/** The error a receiver fails with when a peer sends more than `maxBytes`. */
export function tooLarge(label: string, bytes: number, maxBytes: number): ChannelError {
  return new ChannelError(
    "MessageTooLarge",
    `${label}: incoming message of ${bytes} bytes exceeds the limit of ${maxBytes} bytes`,
  );
}
