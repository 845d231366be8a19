/**
 * Reference solution of ex01, the worker program: one player of ping-pong.
 *
 * Started by `pingPong` with `workerData: PlayerData` and its end of the channel to its peer
 * (moved in `transferList`). The players talk to each other directly; the main thread only
 * hears one report from each, at the end.
 *
 * - ping: sends ping 1, then answers every pong with the next ping until n are sent; after the
 *   n-th pong it ends its side of the channel (`endSend()`), and its loop ends when the pong
 *   player closes.
 * - pong: answers every ping with the pong of the same seq; its loop ends at end-of-stream,
 *   when the ping player has ended its side.
 *
 * Then each closes its port, sends its report to the main thread and closes that channel: with
 * nothing left open, the thread exits by itself with code 0.
 */
import { threadId, workerData } from "node:worker_threads";
import { parentChannel, portChannel } from "kernel-lib";
import type { PlayerData, PlayerReport, RallyMessage } from "./messages";

/** Counts one received message; the k-th must be of type `expectedType` and carry seq k. */
function noteReceived(
  report: PlayerReport,
  msg: RallyMessage,
  expectedType: RallyMessage["type"],
): void {
  report.received++;
  report.lastSeq = msg.seq;
  report.peerThreadId = msg.from;
  if (msg.type !== expectedType || msg.seq !== report.received) {
    report.outOfOrder.push({ expected: report.received, got: msg.seq });
  }
}

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
  const send = async (msg: RallyMessage): Promise<void> => {
    await peer.send(msg);
    report.sent++;
  };

  if (data.role === "ping") await send({ type: "ping", seq: 1, from: threadId });
  // Ends at end-of-stream: for pong when ping has ended its side, for ping when pong has closed.
  for await (const msg of peer) {
    if (data.role === "pong") {
      noteReceived(report, msg, "ping");
      await send({ type: "pong", seq: msg.seq, from: threadId });
    } else {
      noteReceived(report, msg, "pong");
      // One ping in flight at a time: the next goes out only once this pong is in.
      if (report.sent < data.n) await send({ type: "ping", seq: report.sent + 1, from: threadId });
      else await peer.endSend(); // no more pings: the pong player's loop ends after this
    }
  }
  await peer.close();
  await parent.send(report);
  // The last listener on parentPort goes with this: the thread can now exit by itself.
  await parent.close();
}

// An error escapes to the worker's 'error' event: the main thread's receiver then fails with
// PeerFailed carrying it, and the thread exits with code 1.
void main();
