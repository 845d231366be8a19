// Child program: a producer on a POSIX message queue that someone else created. It opens the
// queue by name (send only), sends the given messages in order, each with its priority, and
// reports every message the kernel accepted as a framed JSON line on stdout:
//   { type: "opened", pid, capacity, maxMessageBytes }   once, after mq_open
//   { type: "sent", index, priority, text }              after each send completed
//   { type: "done" }                                      when all were sent; then it exits
// A send to a full queue waits (a libuv poll on the descriptor, not a blocked thread), so the
// reports stop while the queue is full: notebook 03's blocked sender. On end of stdin it closes
// its descriptor (a waiting send fails with ChannelClosed) and exits 0: that is how `stop()`
// ends it. The queue and the messages it already sent stay in the kernel either way.
//
// argv: NAME PRIORITY:TEXT [PRIORITY:TEXT ...]   e.g. /jobs "9:server on fire" "0:all quiet"
import { isChannelError } from "../channel";
import { jsonCodec } from "../codec";
import { openMessageQueue } from "../mqueue/posix-message-queue";
import { parentPipes } from "../transports/pipe";

/** What mq-producer reports on stdout. */
export type MqProducerReport =
  | { type: "opened"; pid: number; capacity: number; maxMessageBytes: number }
  | { type: "sent"; index: number; priority: number; text: string }
  | { type: "done" };

/** Splits "9:server on fire" into priority 9 and its text. */
function parseMessageArg(arg: string): { priority: number; text: string } {
  const colon = arg.indexOf(":");
  const priority = Number(arg.slice(0, colon));
  if (colon < 1 || !Number.isInteger(priority) || priority < 0) {
    throw new Error(`mq-producer: expected PRIORITY:TEXT, got ${JSON.stringify(arg)}`);
  }
  return { priority, text: arg.slice(colon + 1) };
}

async function main(): Promise<void> {
  const [name = "", ...messageArgs] = process.argv.slice(2);
  const messages = messageArgs.map(parseMessageArg);
  const { reader, writer } = parentPipes(jsonCodec<MqProducerReport>());
  const queue = openMessageQueue(name, { access: "send" });
  // End of stdin: the parent wants us gone. Closing the descriptor fails a waiting send.
  void (async () => {
    for await (const _ of reader) {
      // Nothing is expected on stdin; only its end matters.
    }
    await queue.close();
  })();
  await writer.send({
    type: "opened",
    pid: process.pid,
    capacity: queue.capacity,
    maxMessageBytes: queue.maxMessageBytes,
  });
  const encoder = new TextEncoder();
  let index = 0;
  try {
    for (const { priority, text } of messages) {
      await queue.send(encoder.encode(text), { priority });
      await writer.send({ type: "sent", index, priority, text });
      index++;
    }
    await writer.send({ type: "done" });
  } catch (err) {
    if (!isChannelError(err, "ChannelClosed")) throw err;
  }
  await queue.close();
  await writer.close();
  await reader.close();
}

main().catch((err: unknown) => {
  console.error(String(err));
  process.exitCode = 1;
});
