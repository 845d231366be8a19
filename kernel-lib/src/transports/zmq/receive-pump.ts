/**
 * Moves messages from a zeromq.js socket into an `Inbox` as readers ask for them, reading a
 * bounded number ahead: ZeroMQ's high-water marks, not an unbounded JavaScript queue, decide
 * when a sender feels backpressure.
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
 * Handles one received message: "pushed" when it went into the inbox, "skipped" when it was
 * consumed otherwise (an end marker that does not end the stream yet), "end" when it ends the
 * stream. Throwing (a decode error, an oversize message) fails the receiver.
 */
export type Deliver = (parts: Buffer[]) => "pushed" | "skipped" | "end";

/** The running pump, driven by the receiver around it. */
export interface ReceivePump {
  /** A reader is about to wait on the empty inbox: make sure a receive is in flight. */
  demand(): void;
  /** A reader that `demand`ed gave up (timeout, abort) without a message. */
  withdraw(): void;
  /** A held message was taken (the inbox's `onTake`): read ahead if ZeroMQ has more. */
  resume(): void;
  /**
   * Lets a lone reader take the next message straight from the socket, bypassing the inbox:
   * true (and the pump stays idle until `release()`) when nothing is held, nobody waits in the
   * inbox, no receive is in flight and the stream is open; false otherwise.
   */
  claim(): boolean;
  /** Ends a claim; serves readers that started waiting in the inbox meanwhile. */
  release(): void;
}

/**
 * Pumps `socket` into `inbox` with at most one `receive()` in flight (zeromq.js refuses a
 * second with EBUSY). A receive that has to wait for the network is only started for a reader
 * that is waiting; beyond that the pump reads ahead only what ZeroMQ already holds
 * (`socket.readable`), up to `readAhead` messages and 1 MiB. Why: messages nobody asked for
 * stay in ZeroMQ's queue, where the high-water marks count them, and no receive is left in
 * flight that would make the next reader wait in the inbox instead of taking the socket's
 * next message directly (see `claim`).
 *
 * When the stream ends (end marker) or fails, the inbox is ended (held messages stay
 * readable) and `onEnd` runs once. The socket's close ends the pump quietly (its pending
 * receive fails with EAGAIN).
 *
 * @example
 * const inbox = new Inbox<T>(label, () => pump.resume());
 * const pump = startPump(socket, label, inbox, 16, deliver, release);
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
  // Readers waiting in the inbox, as far as the pump can tell: counted up by demand(), down by
  // each message handed to one and by withdraw(); reset when a message is held (a held
  // message means nobody was waiting). Overcounting only costs an early receive.
  let wanted = 0;
  const hasRoom = (): boolean => inbox.size < readAhead && inbox.heldBytes < READ_AHEAD_BYTES;
  const fail = (err: unknown): void => {
    running = false;
    if (socket.closed || inbox.ended) return; // closed: the pending receive fails with EAGAIN
    inbox.end(channelErrorFrom(label, err, false));
    onEnd();
  };
  const received = (parts: Buffer[]): void => {
    running = false;
    let outcome: "pushed" | "skipped" | "end";
    try {
      outcome = deliver(parts);
    } catch (err) {
      fail(err);
      return;
    }
    if (outcome === "end") {
      inbox.end();
      onEnd();
      return;
    }
    if (outcome === "pushed") {
      if (inbox.size > 0) wanted = 0;
      else if (wanted > 0) wanted--;
    }
    more();
  };
  const receive = (): void => {
    if (running || socket.closed || inbox.ended) return;
    running = true;
    let receiving: Promise<Buffer[]>;
    try {
      receiving = socket.receive();
    } catch (err) {
      fail(err);
      return;
    }
    receiving.then(received, fail);
  };
  const more = (): void => {
    if (wanted > 0 || (hasRoom() && !running && !socket.closed && socket.readable)) receive();
  };

  return {
    demand() {
      wanted++;
      receive();
    },
    withdraw() {
      if (wanted > 0) wanted--;
    },
    resume: more,
    claim() {
      if (running || wanted > 0 || inbox.size > 0 || inbox.ended || socket.closed) return false;
      running = true;
      return true;
    },
    release() {
      running = false;
      // No read-ahead here: the lone reader comes straight back to claim the next message,
      // and a prefetch still settling would send it the slow way, through the inbox.
      if (wanted > 0) receive();
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
