// Child program: keeps one variable, `counter`, in its own memory and answers framed JSON
// commands on stdin/stdout until end of input:
//   { type: "increment" } -> { type: "value", pid, counter }   (after adding 1)
//   { type: "get" }       -> { type: "value", pid, counter }
// Two copies started from this same file share the code, not the variable: notebook 00 shows it.
import { jsonCodec } from "../codec";
import { parentPipes } from "../transports/pipe";

/** A command the counter process understands. */
export type CounterCommand = { type: "increment" } | { type: "get" };
/** Its only answer. */
export interface CounterValue {
  type: "value";
  pid: number;
  counter: number;
}

let counter = 0;

async function main(): Promise<void> {
  const { reader, writer } = parentPipes(jsonCodec<CounterCommand | CounterValue>());
  for await (const command of reader) {
    if (command.type === "increment") counter++;
    await writer.send({ type: "value", pid: process.pid, counter });
  }
  await writer.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
