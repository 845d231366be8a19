// Child program: the WRONG way to read messages from a pipe. It treats every chunk that one
// read() returns as one message, and at end of input reports what it "received" as one JSON
// frame on stdout: { chunks: [{ bytes, preview }] }. Notebook 02 uses it to show that a byte
// stream keeps no message boundaries.
//
// argv: [--delay-ms N]  wait N ms before the first read, so that everything the parent wrote
//                       meanwhile is already in the pipe (makes the merging reproducible).
import * as net from "node:net";
import { jsonCodec } from "../codec";
import { framedWriter } from "../transports/stream-framing";

interface ChunkReport {
  bytes: number;
  /** The first bytes as text, for showing where the boundaries fell. */
  preview: string;
}

function delayArg(): number {
  const i = process.argv.indexOf("--delay-ms");
  const ms = i >= 0 ? Number(process.argv[i + 1]) : 0;
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

async function main(): Promise<void> {
  await new Promise((r) => setTimeout(r, delayArg()));
  const chunks: ChunkReport[] = [];
  const input = new net.Socket({ fd: 0, readable: true, writable: false });
  for await (const chunk of input as AsyncIterable<Buffer>) {
    chunks.push({ bytes: chunk.byteLength, preview: chunk.subarray(0, 60).toString("utf8") });
  }
  const out = framedWriter(
    new net.Socket({ fd: 1, readable: false, writable: true }),
    jsonCodec<{ chunks: ChunkReport[] }>(),
  );
  await out.send({ chunks });
  await out.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
