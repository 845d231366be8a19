// Child program: closes its end of the stdin pipe at once, tells the parent so with one JSON
// frame { type: "stdin-closed", pid } on stdout, and then stays alive (until killed, or for
// --linger-ms, default 10000). The parent's next write into that pipe has no reader left: EPIPE.
import * as fs from "node:fs";
import * as net from "node:net";
import { jsonCodec } from "../codec";
import { framedWriter } from "../transports/stream-framing";

async function main(): Promise<void> {
  fs.closeSync(0);
  const out = framedWriter(
    new net.Socket({ fd: 1, readable: false, writable: true }),
    jsonCodec<{ type: "stdin-closed"; pid: number }>(),
  );
  await out.send({ type: "stdin-closed", pid: process.pid });
  const i = process.argv.indexOf("--linger-ms");
  const lingerMs = i >= 0 ? Number(process.argv[i + 1]) : 10_000;
  await new Promise((r) => setTimeout(r, lingerMs));
  await out.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
