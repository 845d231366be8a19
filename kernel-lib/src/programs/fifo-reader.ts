// Child program: reads text messages from a FIFO it knows only by its path until every writer
// has closed it, then reports them to its parent as one JSON frame on stdout:
// { pid, messages: string[] }.
//
// argv: <fifo path>
import * as net from "node:net";
import { jsonCodec, utf8Codec } from "../codec";
import { openFifoReader } from "../transports/fifo";
import { framedWriter } from "../transports/stream-framing";

async function main(): Promise<void> {
  const fifoPath = process.argv[2];
  if (fifoPath === undefined) throw new Error("usage: fifo-reader <fifo path>");
  const reader = openFifoReader(fifoPath, utf8Codec);
  const messages: string[] = [];
  for await (const message of reader) messages.push(message);
  const out = framedWriter(
    new net.Socket({ fd: 1, readable: false, writable: true }),
    jsonCodec<{ pid: number; messages: string[] }>(),
  );
  await out.send({ pid: process.pid, messages });
  await out.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
