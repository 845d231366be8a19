/**
 * Exercise ex03 (prime sieve), the main side: starts the first sieve stage, feeds it 2..n and
 * collects the primes the chain sends back. See README.md. Also a CLI:
 * `npx tsx exercises/ex03-prime-sieve/prime-sieve.ts 30` prints `prime 2`, `prime 3`, ...
 */
import * as path from "node:path";

/** Largest n accepted: the sieve runs one process per prime (46 processes for 200). */
export const MAX_N = 200;

/** The child program every stage runs. */
export const STAGE_ENTRY = path.join(__dirname, "sieve-stage.ts");

/** One stage of a finished run: the prime it kept, its pid and its parent's pid. */
export interface SieveStage {
  prime: number;
  pid: number;
  ppid: number;
}

/** What a run of the sieve found, stage by stage, in chain order. */
export interface SieveRun {
  primes: number[];
  stages: SieveStage[];
}

/**
 * Runs the concurrent prime sieve on 2..n: a chain of processes, one per prime, joined by pipes.
 * Resolves with the primes in increasing order and the stage that found each, once every stage
 * process has exited. Rejects with `ChannelError` `InvalidArgument` when n is not an integer from
 * 2 to {@link MAX_N}, and with an `Error` when a stage fails.
 *
 * @example
 * const run = await runSieve(10); // run.primes: [2, 3, 5, 7]; run.stages: 4 distinct pids
 */
export async function runSieve(n: number): Promise<SieveRun> {
  // TODO: check n (ChannelError "InvalidArgument").
  // TODO: start stage 1 (spawnEntry(STAGE_ENTRY)) and take its pipes as separate halves:
  //       childPipes(child, jsonCodec<SieveMessage>()) gives { writer (down), reader (up) }.
  // TODO: collect PrimeMessages in their own async loop while sending 2..n down; then close
  //       the pipe down, wait for the collection to end and for stage 1 to exit (code 0).
  throw new Error(`TODO: ex03 runSieve(${n})`);
}

/**
 * The primes from 2 to n, in increasing order, found by the process chain of {@link runSieve}.
 *
 * @example
 * await primesUpTo(30); // [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]
 */
export async function primesUpTo(n: number): Promise<number[]> {
  return (await runSieve(n)).primes;
}

async function cli(): Promise<void> {
  const arg = process.argv[2];
  if (arg === undefined) {
    console.error(`usage: npx tsx prime-sieve.ts N   (prints the primes up to N, N <= ${MAX_N})`);
    process.exitCode = 2;
    return;
  }
  for (const prime of await primesUpTo(Number(arg))) console.log(`prime ${prime}`);
}

if (require.main === module) {
  cli().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
