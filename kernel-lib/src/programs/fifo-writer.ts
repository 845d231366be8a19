// Child program: writes numbered text messages into a FIFO it knows only by its path, then
// closes it (the reader then sees end of stream). Writes nothing on stdout.
//
// argv: <fifo path> [count=5]
import { utf8Codec } from "../codec";
import { openFifoWriter } from "../transports/fifo";

async function main(): Promise<void> {
  const [fifoPath, countArg] = process.argv.slice(2);
  if (fifoPath === undefined) throw new Error("usage: fifo-writer <fifo path> [count]");
  const count = countArg === undefined ? 5 : Number(countArg);
  // Waits (up to 10 s) until some process opens the FIFO for reading.
  const writer = await openFifoWriter(fifoPath, utf8Codec, { timeoutMs: 10_000 });
  for (let i = 1; i <= count; i++)
    await writer.send(`message ${i} of ${count} from pid ${process.pid}`);
  await writer.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
