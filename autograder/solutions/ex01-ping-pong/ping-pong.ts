/**
 * Reference solution of ex01, the main side: starts the two players, connects them to each
 * other with a channel of their own, and collects their reports. Also a CLI:
 * `npx tsx exercises/ex01-ping-pong/ping-pong.ts 5` plays 5 rounds and prints both reports.
 */
import * as path from "node:path";
import {
  ChannelError,
  createPortPair,
  startWorker,
  workerChannel,
  type WorkerHandle,
} from "kernel-lib";
import type { PlayerData, PlayerReport, Role } from "./messages";

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
  if (!Number.isInteger(n) || n < 1) {
    throw new ChannelError("InvalidArgument", `n must be an integer of at least 1, got ${n}`);
  }
  const [pingEnd, pongEnd] = createPortPair();
  const pingData: PlayerData = { role: "ping", port: pingEnd, n };
  const pongData: PlayerData = { role: "pong", port: pongEnd };
  // Ports are moved, not copied: each end now belongs to its player's thread alone.
  const ping = startWorker(PLAYER_ENTRY, { workerData: pingData, transferList: [pingEnd] });
  const pong = startWorker(PLAYER_ENTRY, { workerData: pongData, transferList: [pongEnd] });
  // Settle both before deciding: a player that fails still lets the other one finish (its
  // peer's port closes, which ends its loop), so no thread is left behind.
  const [pingReport, pongReport] = await Promise.allSettled([
    finish(ping, "ping"),
    finish(pong, "pong"),
  ]);
  if (pingReport.status === "rejected") throw pingReport.reason;
  if (pongReport.status === "rejected") throw pongReport.reason;
  return { ping: pingReport.value, pong: pongReport.value };
}

/** Takes a player's report, closes the channel to it, and waits for it to exit with code 0. */
async function finish(player: WorkerHandle, role: Role): Promise<PlayerReport> {
  const channel = workerChannel<PlayerReport>(player, { label: `${role} player` });
  let report: PlayerReport;
  try {
    report = await channel.recv();
  } finally {
    await channel.close();
  }
  const code = await player.exited;
  if (code !== 0) throw new Error(`the ${role} player exited with code ${code}`);
  if (report.type !== "report" || report.role !== role) {
    throw new Error(`the ${role} player sent ${JSON.stringify(report)} instead of its report`);
  }
  return report;
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
