// Worker program: receives numbered messages { from, seq } over workerData.port (one end of a
// MessageChannel) until the other end closes, and checks that every sender's numbers arrived
// as 0, 1, 2, ... with no gap, repeat or swap. Then reports to its parent:
//   { type: "checked", received, perSender: { [name]: count }, problems: string[] (first 5),
//     ms }   where ms runs from the first message to the end of the stream.
// workerData: { port: MessagePort }
import { workerData, type MessagePort } from "node:worker_threads";
import { parentChannel, portChannel } from "../transports/worker";
import type { NumberedMessage } from "./numbered-sender";

/** What the checker reports to its parent. */
export interface SequenceReport {
  type: "checked";
  received: number;
  perSender: Record<string, number>;
  problems: string[];
  ms: number;
}

async function main(): Promise<void> {
  const { port } = workerData as { port: MessagePort };
  const peer = portChannel<NumberedMessage>(port, { label: "checker's port" });
  const parent = parentChannel<SequenceReport>();
  const next: Record<string, number> = {};
  const perSender: Record<string, number> = {};
  const problems: string[] = [];
  let received = 0;
  let startedAt: number | undefined;
  for await (const { from, seq } of peer) {
    startedAt ??= performance.now();
    received++;
    perSender[from] = (perSender[from] ?? 0) + 1;
    const expected = next[from] ?? 0;
    if (seq !== expected && problems.length < 5) {
      problems.push(`from ${from}: expected ${expected}, got ${seq}`);
    }
    next[from] = seq + 1;
  }
  const ms = startedAt === undefined ? 0 : performance.now() - startedAt;
  await parent.send({ type: "checked", received, perSender, problems, ms });
  await peer.close();
  await parent.close();
}

void main();
