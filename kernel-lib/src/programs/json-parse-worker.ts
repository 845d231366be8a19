// Worker program: parses each string its parent sends as JSON and sends back the value. On text
// that is not JSON, workerData.onError decides what happens to the SyntaxError:
//   "throw": it is not caught, so the worker dies with it (the parent's receiver fails with
//            PeerFailed, the worker's error as cause, and the worker exits with code 1);
//   "fail":  the worker reports it with channel.fail(err) (PeerFailed on the parent's side as
//            well) and then exits normally, with code 0.
// Either way the error keeps its stack from this thread. Chapter 01 shows both.
// workerData: { onError: "throw" | "fail" }
import { workerData } from "node:worker_threads";
import { parentChannel } from "../transports/worker";

function parseRequest(text: string): unknown {
  return JSON.parse(text);
}

async function main(): Promise<void> {
  const { onError } = workerData as { onError: "throw" | "fail" };
  const channel = parentChannel<unknown>();
  for await (const text of channel) {
    let value: unknown;
    try {
      value = parseRequest(String(text));
    } catch (err) {
      if (onError === "throw") throw err;
      await channel.fail(err);
      return;
    }
    await channel.send(value);
  }
  await channel.close();
}

void main();
