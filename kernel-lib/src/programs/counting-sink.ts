// Child program: a throughput sink. Reads frames from stdin and counts them; an empty frame
// means "report": it answers with one JSON frame { type: "report", frames, bytes } counting the
// frames since the last report (the empty one excluded) and starts counting afresh. Exits at
// end of input.
//
// argv: [--wait-for-signal]  first send { type: "waiting", pid } once the signal handler is in
//                            place, then do not read stdin at all until SIGUSR2 arrives, so the
//                            pipe fills and the parent's writes stop: notebook 02's backpressure
//                            demo. (SIGUSR1 is taken: Node starts its debugger on it.)
import * as net from "node:net";
import { bytesCodec, jsonCodec } from "../codec";
import { framedReader, framedWriter } from "../transports/stream-framing";

/** What the sink sends: a report for every empty frame, "waiting" once with --wait-for-signal. */
export type SinkMessage =
  { type: "report"; frames: number; bytes: number } | { type: "waiting"; pid: number };

async function main(): Promise<void> {
  const writer = framedWriter(
    new net.Socket({ fd: 1, readable: false, writable: true }),
    jsonCodec<SinkMessage>(),
  );
  if (process.argv.includes("--wait-for-signal")) {
    // Install the handler before saying so: SIGUSR2's default action would kill the process.
    const signalled = new Promise<void>((resolve) => process.once("SIGUSR2", () => resolve()));
    // A signal listener alone does not keep Node alive; the timer does, until the signal.
    const keepAlive = setInterval(() => {}, 1 << 30);
    await writer.send({ type: "waiting", pid: process.pid });
    await signalled;
    clearInterval(keepAlive);
  }
  const reader = framedReader(
    new net.Socket({ fd: 0, readable: true, writable: false }),
    bytesCodec,
  );
  let frames = 0;
  let bytes = 0;
  for await (const frame of reader) {
    if (frame.byteLength === 0) {
      await writer.send({ type: "report", frames, bytes });
      frames = 0;
      bytes = 0;
    } else {
      frames++;
      bytes += frame.byteLength;
    }
  }
  await writer.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
