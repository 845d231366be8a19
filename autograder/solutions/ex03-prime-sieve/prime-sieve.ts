/**
 * Reference solution of ex03, the main side: starts the first sieve stage, feeds it 2..n and
 * collects the primes the chain sends back. Also a CLI:
 * `npx tsx exercises/ex03-prime-sieve/prime-sieve.ts 30` prints `prime 2`, `prime 3`, ...
 */
import * as path from "node:path";
import { ChannelError, childPipes, jsonCodec, spawnEntry } from "kernel-lib";
import type { SieveMessage } from "./messages";

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
  if (!Number.isInteger(n) || n < 2 || n > MAX_N) {
    throw new ChannelError("InvalidArgument", `n must be an integer from 2 to ${MAX_N}, got ${n}`);
  }
  const codec = jsonCodec<SieveMessage>();
  const first = spawnEntry(STAGE_ENTRY);
  // Separate halves, not childChannel(): closing the way down must keep the way up open.
  const { writer: down, reader: up } = childPipes(first, codec);
  const collected = (async () => {
    const stages: SieveStage[] = [];
    for await (const msg of up) {
      if (msg.type !== "prime") throw new Error(`unexpected ${msg.type} message from the sieve`);
      stages.push({ prime: msg.prime, pid: msg.pid, ppid: msg.ppid });
    }
    return stages;
  })();
  // Feed and collect at once: the chain sends primes up while numbers still go down.
  try {
    for (let value = 2; value <= n; value++) await down.send({ type: "number", value });
  } finally {
    await down.close();
  }
  const stages = await collected;
  const exit = await first.exited;
  if (exit.code !== 0) {
    throw new Error(`sieve stage 1 (pid ${first.pid}) failed: code ${exit.code}, ${exit.signal}`);
  }
  return { primes: stages.map((s) => s.prime), stages };
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
