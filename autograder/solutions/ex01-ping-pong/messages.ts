/**
 * The messages of ping-pong, and what each player is started with. Every message is a tagged
 * union member with a string literal `type`, so `switch (msg.type)` narrows it.
 *
 * The two players talk over their own MessageChannel (one end each); each also has the channel
 * to the main thread that started it, used once, for its report.
 */
import type { MessagePort } from "node:worker_threads";

/** Ping player to pong player: the ping numbered `seq` (1, 2, ..., n), sent from thread `from`. */
export interface PingMessage {
  type: "ping";
  seq: number;
  from: number;
}

/** Pong player to ping player: the answer to ping `seq`, sent from thread `from`. */
export interface PongMessage {
  type: "pong";
  seq: number;
  from: number;
}

/** Everything that travels between the two players. */
export type RallyMessage = PingMessage | PongMessage;

/** Which side a player takes. */
export type Role = "ping" | "pong";

/**
 * A message that broke the order: the k-th message a player receives must be of its peer's type
 * and carry seq k (`expected`); this one carried `got`.
 */
export interface OutOfOrder {
  expected: number;
  got: number;
}

/** A player to the main thread, once, after its rally is over. */
export interface PlayerReport {
  type: "report";
  role: Role;
  /** The player's own `threadId` (from `node:worker_threads`). */
  threadId: number;
  /** The `from` of the last message it received: its peer's threadId; -1 if none arrived. */
  peerThreadId: number;
  /** Messages it sent to its peer. */
  sent: number;
  /** Messages it received from its peer. */
  received: number;
  /** The `seq` of the last message it received; 0 if none arrived. */
  lastSeq: number;
  /** Every received message whose `seq` was not its position (1st, 2nd, ...), in arrival order. */
  outOfOrder: OutOfOrder[];
}

/**
 * The `workerData` a player is started with. `port` is its end of the channel to its peer,
 * moved to it in `transferList`. Only the ping player is told `n`: the pong player answers
 * until its peer ends the channel.
 */
export type PlayerData =
  { role: "ping"; port: MessagePort; n: number } | { role: "pong"; port: MessagePort };
