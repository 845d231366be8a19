// Child program: echoes every frame it reads on stdin back on stdout, then exits at EOF.
import { bytesCodec } from "../codec";
import { parentPipes } from "../transports/pipe";

async function main(): Promise<void> {
  const { reader, writer } = parentPipes(bytesCodec);
  for await (const frame of reader) await writer.send(frame);
  await writer.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
