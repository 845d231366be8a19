// Child program: the receiving end of a ZeroMQ pipeline (PULL) or of a publication (SUB,
// subscribed to everything), for notebook 03's high-water-mark and slow-joiner experiments.
// Every message it receives is bytes whose first 4 bytes are a big-endian sequence number; it
// counts them and the gaps between them. It takes commands as framed JSON on stdin and answers
// on stdout:
//   -> { type: "connected", pid }   once its socket has connected (the handshake may still run)
//   <- { type: "go" }               start reading (only needed with --paused)
//   <- { type: "drain", quietMs }   start reading if paused, read until nothing has arrived for
//                                   quietMs, then answer:
//   -> { type: "report", received, first, last, missing }
//      first/last: the lowest and highest sequence numbers received (-1 if none); missing: how
//      many numbers between first and last never arrived.
// With --paused it does not read at all until told to, so its queues fill up as far as the
// high-water marks allow. End of stdin closes the socket and ends the program (exit 0).
//
// argv: --pattern pull|sub --connect ENDPOINT [--receive-hwm N] [--paused]
import { isChannelError } from "../channel";
import { bytesCodec, jsonCodec } from "../codec";
import { parentPipes } from "../transports/pipe";
import { zmqPull, zmqSubscriber } from "../transports/zmq";

/** Commands the receiver takes on stdin. */
export type ZmqReceiverCommand = { type: "go" } | { type: "drain"; quietMs: number };

/** What the receiver says on stdout. */
export type ZmqReceiverReport =
  | { type: "connected"; pid: number }
  | { type: "report"; received: number; first: number; last: number; missing: number };

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const pattern = option("--pattern");
  const connect = option("--connect") ?? "";
  const hwm = option("--receive-hwm");
  if (pattern !== "pull" && pattern !== "sub") {
    throw new Error(`zmq-receiver: --pattern must be pull or sub, got ${String(pattern)}`);
  }
  // readAhead 1: the program holds no more than the one message it is receiving, so what
  // queues up is ZeroMQ's doing (high-water marks), not ours.
  const options = {
    connect,
    readAhead: 1,
    ...(hwm === undefined ? {} : { receiveHighWaterMark: Number(hwm) }),
  };
  const socket =
    pattern === "pull"
      ? await zmqPull(bytesCodec, options)
      : await zmqSubscriber(bytesCodec, { ...options, topics: [""] });
  const next =
    pattern === "pull"
      ? () => socket.recv() as Promise<Uint8Array>
      : async () => ((await socket.recv()) as { message: Uint8Array }).message;

  const { reader, writer } = parentPipes(jsonCodec<ZmqReceiverReport | ZmqReceiverCommand>());
  let received = 0;
  let first = -1;
  let last = -1;
  let missing = 0;
  let lastArrival = performance.now();
  let start = (): void => {};
  const started = new Promise<void>((resolve) => (start = resolve));
  if (!process.argv.includes("--paused")) start();

  const reading = (async () => {
    await started;
    lastArrival = performance.now();
    for (;;) {
      let message: Uint8Array;
      try {
        message = await next();
      } catch (err) {
        if (isChannelError(err, "ChannelClosed")) return;
        throw err;
      }
      const seq = new DataView(message.buffer, message.byteOffset, 4).getUint32(0);
      if (first < 0) first = seq;
      if (last >= 0 && seq > last + 1) missing += seq - last - 1;
      last = Math.max(last, seq);
      received++;
      lastArrival = performance.now();
    }
  })();

  await writer.send({ type: "connected", pid: process.pid });
  for await (const command of reader) {
    if (command.type === "go") start();
    if (command.type === "drain") {
      start();
      await sleep(command.quietMs);
      while (performance.now() - lastArrival < command.quietMs) await sleep(10);
      await writer.send({ type: "report", received, first, last, missing });
    }
  }
  start(); // so the reading loop can see the close
  await socket.close();
  await reading;
  await writer.close();
}

main().catch((err: unknown) => {
  console.error(String(err));
  process.exitCode = 1;
});
