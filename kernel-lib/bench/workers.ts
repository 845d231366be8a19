/**
 * Benchmark: kernel-lib's worker channel against raw `postMessage`, and the channel's transfer
 * path against its copy path, main thread -> worker. The worker counts what arrives and reports
 * it, so a run that lost a message fails instead of reporting a speed.
 */
import * as path from "node:path";
import { closeAll, startWorker, workerChannel } from "../src";
import {
  bestOf,
  MESSAGE_SIZES,
  messageCount,
  printComparison,
  ratioAt,
  timed,
  type Measurement,
} from "./harness";

type Report = { messages: number; bytes: number };
const sinkPath = path.join(__dirname, "programs", "worker-sink.ts");

type Variant = "raw postMessage" | "channel copy" | "channel transfer";

async function runOnce(variant: Variant, size: number, count: number): Promise<Measurement> {
  const raw = variant === "raw postMessage";
  const w = startWorker(sinkPath, { workerData: { mode: raw ? "raw" : "channel" } });
  const ch = workerChannel<Uint8Array | string | Report>(w);
  const reply = (): Promise<Report> => ch.recv({ timeoutMs: 120_000 }) as Promise<Report>;
  const payload = new Uint8Array(size).fill(7);
  // Warm-up: the worker's start-up and first compilation stay out of the timing.
  w.worker.postMessage(payload);
  w.worker.postMessage("report");
  await reply();
  let report: Report | undefined;
  const seconds = await timed(async () => {
    for (let i = 0; i < count; i++) {
      if (raw) w.worker.postMessage(payload);
      else if (variant === "channel copy") await ch.send(payload);
      else {
        // A transferred buffer is gone from this thread, so each message needs its own. An
        // unpooled, uninitialised allocation keeps that cost out of the comparison.
        const own = new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size);
        await ch.send(own, { transfer: [own.buffer] });
      }
    }
    if (raw) w.worker.postMessage("report");
    else await ch.send("report");
    report = await reply();
  });
  await ch.close();
  await w.stop();
  if (!report || report.messages !== count || report.bytes !== count * size) {
    throw new Error(
      `${variant} at ${size} B lost data: sent ${count}, got ${JSON.stringify(report)}`,
    );
  }
  return { variant, size, messages: count, seconds };
}

/** Runs the workers benchmark, prints the table and the goal checks. False on a miss. */
export async function benchWorkers(options: { quick?: boolean } = {}): Promise<boolean> {
  const results: Measurement[] = [];
  const runs = options.quick ? 1 : 3;
  const variants: Variant[] = ["raw postMessage", "channel copy", "channel transfer"];
  for (const size of MESSAGE_SIZES) {
    const count = messageCount(
      size,
      options.quick ? 16 << 20 : 128 << 20,
      options.quick ? 20_000 : 100_000,
    );
    for (const variant of variants)
      results.push(await bestOf(runs, () => runOnce(variant, size, count)));
  }
  await closeAll();
  printComparison(
    "workers: kernel-lib channel vs raw postMessage (main -> worker)",
    "raw postMessage",
    results,
  );
  let met = true;
  const worst = Math.min(
    ...MESSAGE_SIZES.map((s) => ratioAt(results, s, "channel copy", "raw postMessage")),
  );
  met = worst >= 0.9 && met;
  console.log(
    `goal: channel >= 0.9x raw postMessage at every size: worst ${worst.toFixed(2)}x ${worst >= 0.9 ? "MET" : "MISSED"}`,
  );
  const mib = 1024 * 1024;
  const transfer = ratioAt(results, mib, "channel transfer", "channel copy");
  met = transfer >= 10 && met;
  console.log(
    `goal: transfer >= 10x copy at 1 MiB: ${transfer.toFixed(2)}x ${transfer >= 10 ? "MET" : "MISSED"}`,
  );
  return met;
}
