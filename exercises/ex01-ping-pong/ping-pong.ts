/**
 * Exercise ex01 (ping-pong), the main side: starts the two players, connects them to each other
 * with a channel of their own, and collects their reports. See README.md. Also a CLI:
 * `npx tsx exercises/ex01-ping-pong/ping-pong.ts 5` plays 5 rounds and prints both reports.
 */
import * as path from "node:path";
import type { PlayerReport } from "./messages";

/** The worker program both players run. */
export const PLAYER_ENTRY = path.join(__dirname, "player.ts");

/** The reports of a finished rally, one per player. */
export interface PingPongResult {
  ping: PlayerReport;
  pong: PlayerReport;
}

/**
 * Plays n rounds of ping-pong between two worker threads that talk directly over a
 * MessageChannel of their own (`createPortPair()`), never through the main thread. Resolves
 * with both players' reports once both threads have exited by themselves with code 0 (nothing
 * is stopped or terminated). Rejects with `ChannelError` `InvalidArgument` when n is not an
 * integer of at least 1 (starting nothing), and with an `Error` when a player fails or exits
 * with another code.
 *
 * @example
 * const { ping, pong } = await pingPong(3);
 * // ping: { role: "ping", sent: 3, received: 3, lastSeq: 3, outOfOrder: [], ... }
 */
export async function pingPong(n: number): Promise<PingPongResult> {
  // TODO: check n (ChannelError "InvalidArgument"), before starting anything.
  // TODO: createPortPair(); start both players with startWorker(PLAYER_ENTRY, { workerData,
  //       transferList: [theirPort] }), workerData being a PlayerData ({ role: "ping", port, n }
  //       or { role: "pong", port }).
  // TODO: for each player: workerChannel(handle).recv() its report, close that channel, await
  //       handle.exited and check the code is 0. Never stop() or terminate() them.
  throw new Error(`TODO: ex01 pingPong(${n})`);
}

/** One line about a report, as the CLI prints it. */
export function describeReport(report: PlayerReport): string {
  const order =
    report.outOfOrder.length === 0
      ? "all in order"
      : `${report.outOfOrder.length} out of order, first: ${JSON.stringify(report.outOfOrder[0])}`;
  return (
    `${report.role} (thread ${report.threadId}, peer thread ${report.peerThreadId}): ` +
    `sent ${report.sent}, received ${report.received}, last seq ${report.lastSeq}, ${order}`
  );
}

async function cli(): Promise<void> {
  const arg = process.argv[2];
  if (arg === undefined) {
    console.error("usage: npx tsx ping-pong.ts N   (plays N rounds between two worker threads)");
    process.exitCode = 2;
    return;
  }
  const started = performance.now();
  const { ping, pong } = await pingPong(Number(arg));
  console.log(describeReport(ping));
  console.log(describeReport(pong));
  console.log(`both players exited with code 0 (${(performance.now() - started).toFixed(0)} ms)`);
}

if (require.main === module) {
  cli().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
