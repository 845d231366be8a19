/**
 * Reference solution of ex03, the child program: one stage of the prime sieve.
 *
 * Reads numbers from its parent pipe. The first is this stage's prime: it is reported up at
 * once. Later numbers that the prime divides are dropped; the others go down to the next stage,
 * which is started (lazily) when the first of them arrives. Primes coming up from the next
 * stage are relayed to the parent, so they arrive at the top in order. At end of input the
 * stage closes the pipe down, relays the rest, waits for the next stage to exit, closes the
 * pipe up and exits.
 */
import {
  childPipes,
  jsonCodec,
  parentPipes,
  spawnEntry,
  type ChildHandle,
  type Sender,
} from "kernel-lib";
import type { PrimeMessage, SieveMessage } from "./messages";

const codec = jsonCodec<SieveMessage>();

/** The next stage: its process, the pipe down to it, and the relay of its primes up to us. */
interface NextStage {
  child: ChildHandle;
  down: Sender<SieveMessage>;
  relayed: Promise<void>;
}

function startNextStage(up: Sender<SieveMessage>): NextStage {
  const child = spawnEntry(__filename);
  // Separate halves, not childChannel(): closing the pipe down (EOF) must leave the pipe up
  // open, because the next stage still has primes to send after its input ends.
  const { writer: down, reader: fromNext } = childPipes(child, codec);
  const relayed = (async () => {
    for await (const msg of fromNext) {
      if (msg.type !== "prime") throw new Error(`stage ${process.pid}: unexpected ${msg.type}`);
      await up.send(msg);
    }
  })();
  return { child, down, relayed };
}

async function main(): Promise<void> {
  const parent = parentPipes(codec);
  let prime: number | undefined;
  let next: NextStage | undefined;
  for await (const msg of parent.reader) {
    if (msg.type !== "number") throw new Error(`stage ${process.pid}: unexpected ${msg.type}`);
    if (prime === undefined) {
      prime = msg.value;
      const found: PrimeMessage = { type: "prime", prime, pid: process.pid, ppid: process.ppid };
      await parent.writer.send(found);
    } else if (msg.value % prime !== 0) {
      next ??= startNextStage(parent.writer);
      await next.down.send(msg);
    }
  }
  if (next) {
    await next.down.close();
    await next.relayed;
    const exit = await next.child.exited;
    if (exit.code !== 0) {
      throw new Error(`next stage ${next.child.pid} failed (code ${exit.code}, ${exit.signal})`);
    }
  }
  await parent.writer.close();
}

main().catch((err: unknown) => {
  console.error(err);
  // Exit now: a failed stage must not linger. Its parent sees EOF and this exit code, and the
  // next stage sees EOF on its input and winds down.
  process.exit(1);
});
