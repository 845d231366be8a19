/**
 * Exercise ex01 (ping-pong), the worker program: one player. See README.md.
 *
 * Started by `pingPong` with `workerData: PlayerData` and its end of the channel to its peer.
 * The players talk to each other directly; the main thread only hears one report from each.
 *
 * - ping: sends ping 1, then answers every pong with the next ping until n are sent; after the
 *   n-th pong it ends its side of the channel, and its loop ends when the pong player closes.
 * - pong: answers every ping with the pong of the same seq, until end-of-stream.
 *
 * Then each closes its port, sends its report to the main thread and closes that channel: with
 * nothing left open, the thread exits by itself with code 0.
 */
import { threadId, workerData } from "node:worker_threads";
import { parentChannel, portChannel } from "kernel-lib";
import type { PlayerData, PlayerReport, RallyMessage } from "./messages";

async function main(): Promise<void> {
  const data = workerData as PlayerData;
  const peer = portChannel<RallyMessage>(data.port, { label: `${data.role} player's port` });
  const parent = parentChannel<PlayerReport>();
  const report: PlayerReport = {
    type: "report",
    role: data.role,
    threadId,
    peerThreadId: -1,
    sent: 0,
    received: 0,
    lastSeq: 0,
    outOfOrder: [],
  };
  if (data.role === "ping") {
    // TODO: serve: send { type: "ping", seq: 1, from: threadId } on peer (count it in report.sent).
    throw new Error(`TODO: ex01 player: the ping player (n = ${data.n}) sends ping 1`);
  }
  for await (const msg of peer) {
    // TODO: count msg in the report: received, lastSeq, peerThreadId (msg.from); the k-th
    //       message must be of the other role's type and carry seq k, else add
    //       { expected: k, got: msg.seq } to report.outOfOrder.
    // TODO pong: answer with { type: "pong", seq: msg.seq, from: threadId }.
    // TODO ping: send the next ping while fewer than data.n are sent; after the n-th pong,
    //       peer.endSend() instead (the pong player's loop then ends, and it closes).
    throw new Error(`TODO: ex01 player: the ${data.role} player handles ${JSON.stringify(msg)}`);
  }
  // The rally is over: the peer has ended its side.
  await peer.close();
  await parent.send(report);
  await parent.close();
}

// An error escapes to the worker's 'error' event: the main thread's receiver then fails with
// PeerFailed carrying it, and the thread exits with code 1.
void main();
