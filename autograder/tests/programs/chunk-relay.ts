/**
 * Test program for framing tests: copies its stdin to its stdout byte for byte, re-cut into
 * chunks of random size (1 to 300 bytes; seed in argv[2]) with a pause after each write, so the
 * process at the other end of the pipe reads frames split at arbitrary points. Exits at EOF.
 */
import * as net from "node:net";
import { createRandom } from "../../lib/seeded-random";

const MAX_CHUNK = 300;

async function main(): Promise<void> {
  const random = createRandom(Number(process.argv[2] ?? "1"));
  // A socket on fd 1, not fs.writeSync(1): under tsx, fd 1 is non-blocking, so a synchronous
  // write to a full pipe fails with EAGAIN. The write callback waits for room instead.
  const out = new net.Socket({ fd: 1, readable: false, writable: true });
  const write = (bytes: Uint8Array): Promise<void> =>
    new Promise((resolve, reject) => out.write(bytes, (err) => (err ? reject(err) : resolve())));
  for await (const data of process.stdin as AsyncIterable<Buffer>) {
    for (let at = 0; at < data.byteLength;) {
      const size = Math.min(random.int(1, MAX_CHUNK), data.byteLength - at);
      await write(data.subarray(at, at + size));
      at += size;
      // Give the reader a chance to read this chunk on its own before the next one lands.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  await new Promise<void>((resolve) => out.end(resolve));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
