// Worker program: a throughput sink. Counts the byte messages (typed arrays) its parent sends;
// on { type: "report" } it answers { type: "report", messages, bytes } for the messages since
// the last report and starts counting afresh. Messages from one sender arrive in order, so the
// report comes after every message sent before the request: the parent times "send N, then
// ask" and knows all N arrived. Ends when the parent closes or stops it. Chapter 01 times copy
// against transfer with it.
import { parentChannel } from "../transports/worker";

/** What the parent sends: payloads to count, or a request for the count. */
export type CountingRequest = Uint8Array | { type: "report" };
/** The answer to a report request. */
export interface CountingReport {
  type: "report";
  messages: number;
  bytes: number;
}

async function main(): Promise<void> {
  const channel = parentChannel<CountingRequest | CountingReport>();
  let messages = 0;
  let bytes = 0;
  for await (const message of channel) {
    if (ArrayBuffer.isView(message)) {
      messages++;
      bytes += message.byteLength;
    } else if (message.type === "report") {
      await channel.send({ type: "report", messages, bytes });
      messages = 0;
      bytes = 0;
    }
  }
  await channel.close();
}

void main();
