/**
 * Test data and checks for framing tests: seeded payloads, frames built with kernel-lib's
 * `encodeFrame` (the reference wire format), and comparisons that name the first difference.
 */
import { encodeFrame, isChannelError, type ChannelErrorCode } from "kernel-lib";
import type { SeededRandom } from "../../lib/seeded-random";

/**
 * `count` payloads of mixed sizes: some empty, most small, some spanning many pipe reads.
 */
export function seededPayloads(random: SeededRandom, count: number): Uint8Array[] {
  const payloads: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const kind = random.next();
    const size =
      kind < 0.1
        ? 0
        : kind < 0.7
          ? random.int(1, 64)
          : kind < 0.95
            ? random.int(65, 2000)
            : random.int(2001, 20_000);
    payloads.push(random.bytes(size));
  }
  return payloads;
}

/** The byte stream that carries `payloads`, one frame each, back to back. */
export function streamOf(payloads: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(payloads.map((p) => encodeFrame(p)));
}

/** `bytes` cut into consecutive chunks of random size from 1 to `maxChunk`. */
export function cutRandomly(
  bytes: Uint8Array,
  random: SeededRandom,
  maxChunk: number,
): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength;) {
    const size = random.int(1, maxChunk);
    chunks.push(bytes.slice(at, at + size));
    at += size;
  }
  return chunks;
}

function preview(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.subarray(0, 12)).toString("hex").replace(/(..)/g, "$1 ").trim();
  return `${bytes.byteLength} bytes [${hex}${bytes.byteLength > 12 ? " ..." : ""}]`;
}

/**
 * Throws unless `got` holds exactly the payloads `expected`, in order; the message names
 * `step`, the first payload that differs, and both versions of it.
 */
export function expectPayloads(
  got: readonly unknown[],
  expected: readonly Uint8Array[],
  step: string,
): void {
  for (let i = 0; i < Math.max(got.length, expected.length); i++) {
    const g = got[i];
    const e = expected[i];
    if (e === undefined) {
      throw new Error(`${step}: expected ${expected.length} payloads, got ${got.length}`);
    }
    if (g === undefined) {
      throw new Error(
        `${step}: expected ${expected.length} payloads, got only ${got.length} ` +
          `(payload #${i} missing: ${preview(e)})`,
      );
    }
    // Not instanceof: the payload may come from another realm (jest's sandbox vs Node's Buffer).
    if (!ArrayBuffer.isView(g) || Object.prototype.toString.call(g) !== "[object Uint8Array]") {
      throw new Error(`${step}: payload #${i} should be a Uint8Array, got ${describe(g)}`);
    }
    const bytes = g as Uint8Array;
    if (!Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(e)) {
      throw new Error(`${step}: payload #${i}: expected ${preview(e)}, got ${preview(bytes)}`);
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return `${typeof value} ${String(value)}`;
  return value.constructor?.name ?? "object";
}

/**
 * Runs `action` and throws unless it throws a kernel-lib `ChannelError` with `code`;
 * the message names `step` and what happened instead.
 */
export function expectChannelError(
  action: () => unknown,
  code: ChannelErrorCode,
  step: string,
): void {
  let result: unknown;
  try {
    result = action();
  } catch (err) {
    if (isChannelError(err, code)) return;
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new Error(`${step}: expected ChannelError with code "${code}", got ${what}`, {
      cause: err,
    });
  }
  throw new Error(
    `${step}: expected ChannelError with code "${code}", but nothing was thrown ` +
      `(returned ${Array.isArray(result) ? `${result.length} payloads` : describe(result)})`,
  );
}
