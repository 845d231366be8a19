/**
 * Test program for framing tests: copies its stdin to its stdout byte for byte, re-cut into
 * chunks of random size (1 to 300 bytes; seed in argv[2]) with a pause after each write, so the
 * process at the other end of the pipe reads frames split at arbitrary points. Exits at EOF.
 */
import * as fs from "node:fs";
import { createRandom } from "../../lib/seeded-random";

const MAX_CHUNK = 300;

/** Writes all of `bytes` to fd 1 (a blocking pipe: the write waits while the pipe is full). */
function writeAll(bytes: Uint8Array): void {
  for (let at = 0; at < bytes.byteLength;) at += fs.writeSync(1, bytes, at);
}

async function main(): Promise<void> {
  const random = createRandom(Number(process.argv[2] ?? "1"));
  for await (const data of process.stdin as AsyncIterable<Buffer>) {
    for (let at = 0; at < data.byteLength;) {
      const size = Math.min(random.int(1, MAX_CHUNK), data.byteLength - at);
      writeAll(data.subarray(at, at + size));
      at += size;
      // Give the reader a chance to read this chunk on its own before the next one lands.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
