// Worker program: a consumer slower than its producer. For every message from its parent it
// "works" for workMs by sleeping in Atomics.wait (its thread is busy and reads nothing
// meanwhile), then publishes how many messages it has finished in progress[0] (an Int32Array on
// a SharedArrayBuffer), which the parent may read at any moment without asking, since a question
// sent as a message would wait behind the backlog. With ackEvery: k it also answers
// { type: "ack", processed } after every k messages, so a sender can limit how many messages
// are in flight. Ends when the parent closes or stops it (a stop waits behind the backlog:
// use a short grace period).
// workerData: { progress: Int32Array; workMs: number; ackEvery?: number }
import { workerData } from "node:worker_threads";
import { parentChannel } from "../transports/worker";

/** The acknowledgement sent after every `ackEvery` messages. */
export interface ConsumerAck {
  type: "ack";
  processed: number;
}

async function main(): Promise<void> {
  const { progress, workMs, ackEvery } = workerData as {
    progress: Int32Array;
    workMs: number;
    ackEvery?: number;
  };
  const channel = parentChannel<unknown>();
  const nap = new Int32Array(new SharedArrayBuffer(4)); // nobody notifies it: a plain sleep
  let processed = 0;
  for await (const _message of channel) {
    Atomics.wait(nap, 0, 0, workMs);
    processed++;
    Atomics.store(progress, 0, processed);
    if (ackEvery !== undefined && processed % ackEvery === 0) {
      await channel.send({ type: "ack", processed } satisfies ConsumerAck);
    }
  }
  await channel.close();
}

void main();
