/**
 * Exercise ex03 (prime sieve), the child program: one stage of the sieve. See README.md.
 *
 * Reads numbers from its parent pipe. The first is this stage's prime: report it up at once.
 * Later numbers that the prime divides are dropped; the others go down to the next stage,
 * started (lazily) when the first of them arrives. Primes coming up from the next stage are
 * relayed to the parent. At end of input: close the pipe down, relay the rest, wait for the
 * next stage to exit, close the pipe up, and return (the process then exits by itself).
 */
import { jsonCodec, parentPipes } from "kernel-lib";
import type { SieveMessage } from "./messages";

const codec = jsonCodec<SieveMessage>();

async function main(): Promise<void> {
  const parent = parentPipes(codec);
  for await (const msg of parent.reader) {
    // TODO: the first number is this stage's prime: send a PrimeMessage up on parent.writer.
    // TODO: a later number the prime does not divide goes down to the next stage. Start it with
    //       spawnEntry(__filename) when the first such number arrives, and relay every message
    //       it sends up to parent.writer (read its pipe concurrently, in its own async loop).
    throw new Error(`TODO: ex03 sieve-stage: handle ${JSON.stringify(msg)}`);
  }
  // TODO: end of input: close the pipe down (EOF), wait until the relay has passed on every
  //       prime and the next stage has exited (fail if its exit code is not 0).
  await parent.writer.close();
}

main().catch((err: unknown) => {
  console.error(err);
  // Exit now: a failed stage must not linger. Its parent sees EOF and this exit code, and the
  // next stage sees EOF on its input and winds down.
  process.exit(1);
});
