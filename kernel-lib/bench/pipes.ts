/**
 * Benchmark: the framed pipe channel (small frames coalesced into large writes) against a naive
 * pipe that does one write() per message, over the real pipes of a child process. The child
 * (`counting-sink`) counts what arrives and reports it, so a run that lost or corrupted a
 * message fails instead of reporting a speed.
 */
import { bytesCodec, childPipes, closeAll, jsonCodec, programPath, spawnEntry } from "../src";
import { framedReader } from "../src/transports/stream-framing";
import {
  bestOf,
  MESSAGE_SIZES,
  messageCount,
  printComparison,
  ratioAt,
  timed,
  type Measurement,
} from "./harness";

type SinkReport = { type: "report"; frames: number; bytes: number };

/** Sends `count` messages of `size` bytes to a fresh sink and waits for its report. */
async function runOnce(variant: string, size: number, count: number): Promise<Measurement> {
  const child = spawnEntry(programPath("counting-sink"));
  const { writer } = childPipes(child, bytesCodec, { coalesce: variant === "framed" });
  const reports = framedReader(child.stdout, jsonCodec<SinkReport>(), { label: "sink reports" });
  const payload = new Uint8Array(size).fill(7);
  // Warm up the child (its start-up and JIT) before the clock starts.
  await writer.send(payload);
  await writer.send(new Uint8Array(0));
  await reports.recv({ timeoutMs: 30_000 });
  let report: SinkReport | undefined;
  const seconds = await timed(async () => {
    for (let i = 0; i < count; i++) await writer.send(payload);
    await writer.send(new Uint8Array(0));
    report = await reports.recv({ timeoutMs: 120_000 });
  });
  await writer.close();
  await reports.close();
  await child.stop();
  if (!report || report.frames !== count || report.bytes !== count * size) {
    throw new Error(
      `${variant} at ${size} B lost data: sent ${count} messages (${count * size} bytes), ` +
        `sink got ${report?.frames} (${report?.bytes} bytes)`,
    );
  }
  return { variant, size, messages: count, seconds };
}

/** Runs the pipes benchmark and prints the table and the goal check. Returns false on a miss. */
export async function benchPipes(options: { quick?: boolean } = {}): Promise<boolean> {
  const results: Measurement[] = [];
  const runs = options.quick ? 1 : 3;
  for (const size of MESSAGE_SIZES) {
    const count = messageCount(
      size,
      options.quick ? 8 << 20 : 64 << 20,
      options.quick ? 20_000 : 200_000,
    );
    for (const variant of ["naive", "framed"]) {
      results.push(await bestOf(runs, () => runOnce(variant, size, count)));
    }
  }
  await closeAll();
  printComparison(
    "pipes: framed channel (coalesced writes) vs naive pipe (one write per message)",
    "naive",
    results,
  );
  const ratio = ratioAt(results, 64, "framed", "naive");
  const met = ratio >= 2;
  console.log(
    `goal: framed >= 2x naive at 64 B: ${ratio.toFixed(2)}x ${met ? "MET" : "MISSED"}; ` +
      `no loss at any size: MET (every run verified by the sink's count)`,
  );
  return met;
}
