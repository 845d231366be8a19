// Worker program: sends `count` numbered messages { from: name, seq } with seq = 0, 1, 2, ...
// then closes its side, so the receiver's loop ends after the last one. It sends over
// workerData.port (one end of a MessageChannel, for talking to another worker directly) when
// given, else to its parent. With `pauseMs` it waits that long after each message, like a
// sender that produces its messages over time: two paced senders started together overlap
// even though their start-up times differ.
//
// workerData: { name: string; count: number; port?: MessagePort; pauseMs?: number }
import { workerData, type MessagePort } from "node:worker_threads";
import { parentChannel, portChannel } from "../transports/worker";

/** One numbered message. */
export interface NumberedMessage {
  from: string;
  seq: number;
}

/** The worker's start options. */
export interface NumberedSenderOptions {
  name: string;
  count: number;
  port?: MessagePort;
  pauseMs?: number;
}

async function main(): Promise<void> {
  const options = workerData as NumberedSenderOptions;
  const channel = options.port
    ? portChannel<NumberedMessage>(options.port, { label: `${options.name}'s port` })
    : parentChannel<NumberedMessage>();
  const pauseMs = options.pauseMs ?? 0;
  for (let seq = 0; seq < options.count; seq++) {
    await channel.send({ from: options.name, seq });
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  await channel.close();
}

void main();
