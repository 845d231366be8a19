/**
 * The small, reusable part of `npm run bench`: sizes, timing, and a printed table of
 * side-by-side variants with their ratio to a baseline.
 */

/** Message sizes the benchmarks sweep, in bytes. */
export const MESSAGE_SIZES = [64, 4 * 1024, 64 * 1024, 1024 * 1024] as const;

/** One measured run of one variant at one message size. */
export interface Measurement {
  variant: string;
  size: number;
  messages: number;
  seconds: number;
}

export const messagesPerSecond = (m: Measurement): number => m.messages / m.seconds;
export const megabytesPerSecond = (m: Measurement): number =>
  (m.messages * m.size) / m.seconds / 1e6;

/** Human size: 64 B, 4 KiB, 1 MiB. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

/**
 * How many messages to send at `size` so one run moves about `targetBytes` (bounded, so small
 * messages do not take minutes and large ones still send a few dozen).
 */
export function messageCount(size: number, targetBytes = 64 * 1024 * 1024, cap = 200_000): number {
  return Math.max(32, Math.min(cap, Math.floor(targetBytes / size)));
}

/** Runs `fn` and returns the elapsed wall time in seconds. */
export async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Best (fastest) of `runs` measurements: the least disturbed by other work on the machine. */
export async function bestOf(
  runs: number,
  measure: () => Promise<Measurement>,
): Promise<Measurement> {
  let best: Measurement | undefined;
  for (let i = 0; i < runs; i++) {
    const m = await measure();
    if (!best || m.seconds < best.seconds) best = m;
  }
  return best!;
}

/**
 * Prints one table row per size: each variant's messages/s and MB/s, and each variant's
 * throughput as a multiple of the baseline's.
 */
export function printComparison(title: string, baseline: string, results: Measurement[]): void {
  console.log(`\n${title}`);
  const variants = [...new Set(results.map((r) => r.variant))];
  const header = ["size", ...variants.flatMap((v) => [`${v} msg/s`, `${v} MB/s`])];
  const others = variants.filter((v) => v !== baseline);
  header.push(...others.map((v) => `${v} / ${baseline}`));
  const rows: string[][] = [header];
  for (const size of [...new Set(results.map((r) => r.size))]) {
    const at = (v: string): Measurement | undefined =>
      results.find((r) => r.size === size && r.variant === v);
    const row = [formatSize(size)];
    for (const v of variants) {
      const m = at(v);
      row.push(
        m ? messagesPerSecond(m).toFixed(0) : "-",
        m ? megabytesPerSecond(m).toFixed(1) : "-",
      );
    }
    const base = at(baseline);
    for (const v of others) {
      const m = at(v);
      row.push(m && base ? `${(messagesPerSecond(m) / messagesPerSecond(base)).toFixed(2)}x` : "-");
    }
    rows.push(row);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padStart(widths[i]!)).join("  "));
}

/** Ratio of two variants' throughput at one size (for goal checks). */
export function ratioAt(
  results: Measurement[],
  size: number,
  variant: string,
  baseline: string,
): number {
  const m = results.find((r) => r.size === size && r.variant === variant);
  const b = results.find((r) => r.size === size && r.variant === baseline);
  if (!m || !b) throw new Error(`no measurement of ${variant} and ${baseline} at ${size} B`);
  return messagesPerSecond(m) / messagesPerSecond(b);
}
