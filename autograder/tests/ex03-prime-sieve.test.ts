/**
 * Graded tests of ex03 (prime sieve): real chains of child processes joined by pipes, started
 * by the learner's `runSieve`; the stages report their pids, which the tests check against the
 * process tree and, afterwards, against the kernel's list of live processes.
 */
import { isChannelError, liveResources, spawnEntry } from "kernel-lib";
import type * as PrimeSieve from "../../exercises/ex03-prime-sieve/prime-sieve";
import { exerciseFile, loadExercise } from "../lib/exercise-path";
import { graded } from "../lib/graded";

const SLUG = "ex03-prime-sieve";
const sieve = (): typeof PrimeSieve => loadExercise<typeof PrimeSieve>(SLUG, "prime-sieve");

/** The primes up to `n`, by trial division: the expected answers. */
function primesByTrialDivision(n: number): number[] {
  const primes: number[] = [];
  for (let k = 2; k <= n; k++) if (primes.every((p) => k % p !== 0)) primes.push(k);
  return primes;
}

/** True while `pid` names a process (a zombie counts: it has not been waited for). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

const STAGE_HINT =
  "a stage that hangs usually never closes a pipe: at end of input close the pipe down, " +
  "relay the rest, await the next stage's `exited`, then close parent.writer; " +
  "run `npx tsx exercises/ex03-prime-sieve/prime-sieve.ts 10` to see the stages' stderr";

graded(
  "finds the only prime up to 2 with a single stage process",
  2,
  async () => {
    const run = await sieve().runSieve(2);
    expect(run.primes).toEqual([2]);
    expect(run.stages).toHaveLength(1);
  },
  { timeoutMs: 15_000, hint: STAGE_HINT },
);

graded(
  "finds the primes up to 30 in increasing order",
  3,
  async () => {
    expect(await sieve().primesUpTo(30)).toEqual(primesByTrialDivision(30));
  },
  { timeoutMs: 30_000, hint: STAGE_HINT },
);

graded(
  "finds the 25 primes up to 100",
  4,
  async () => {
    expect(await sieve().primesUpTo(100)).toEqual(primesByTrialDivision(100));
  },
  {
    timeoutMs: 60_000,
    hint: "primes must come back in order: a stage sends its own prime up before relaying any",
  },
);

graded(
  "runs one process per prime, each stage the child of the one before",
  4,
  async () => {
    const run = await sieve().runSieve(50);
    const primes = primesByTrialDivision(50);
    expect(run.primes).toEqual(primes);
    expect(run.stages.map((s) => s.prime)).toEqual(primes);
    const pids = run.stages.map((s) => s.pid);
    expect(new Set([...pids, process.pid]).size).toBe(primes.length + 1);
    // The chain: stage 1's parent is this process, stage k's parent is stage k-1.
    const expectedParents = [process.pid, ...pids.slice(0, -1)];
    expect(run.stages.map((s) => s.ppid)).toEqual(expectedParents);
  },
  {
    timeoutMs: 45_000,
    hint:
      "each stage reports { pid: process.pid, ppid: process.ppid } with its prime, and starts " +
      "the next stage itself with spawnEntry(__filename)",
  },
);

graded(
  "leaves no stage process running once the result is in",
  3,
  async () => {
    const run = await sieve().runSieve(20);
    expect(run.primes).toEqual(primesByTrialDivision(20));
    const running = run.stages.filter((s) => isAlive(s.pid)).map((s) => s.pid);
    if (running.length > 0) {
      throw new Error(
        `stage processes still alive (or never waited for) after runSieve resolved: ` +
          `${running.join(", ")} of ${run.stages.length}`,
      );
    }
    expect(liveResources()).toEqual([]);
  },
  {
    timeoutMs: 30_000,
    hint:
      "runSieve resolves only after awaiting stage 1's `exited`, and every stage awaits its " +
      "next stage's `exited` before it returns",
  },
);

graded(
  "rejects n below 2, above MAX_N or not an integer with InvalidArgument, starting nothing",
  2,
  async () => {
    const { runSieve, MAX_N } = sieve();
    for (const bad of [1, 0, -7, 2.5, Number.NaN, MAX_N + 1]) {
      let outcome = "it resolved";
      try {
        await runSieve(bad);
      } catch (err) {
        if (isChannelError(err, "InvalidArgument")) continue;
        outcome = `it threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
      }
      throw new Error(`runSieve(${bad}): expected ChannelError "InvalidArgument", but ${outcome}`);
    }
    expect(liveResources()).toEqual([]);
  },
  { hint: 'check n first: throw new ChannelError("InvalidArgument", ...)' },
);

graded(
  "prints `prime N` lines from the command line, as xv6's primes does",
  2,
  async () => {
    const cli = spawnEntry(exerciseFile(SLUG, "prime-sieve"), { args: ["20"] });
    cli.stdin.end();
    let out = "";
    let err = "";
    cli.stdout.setEncoding("utf8");
    cli.stdout.on("data", (text: string) => (out += text));
    cli.child.stderr?.on("data", (text: string) => (err += text));
    const exit = await cli.exited;
    if (exit.code !== 0) {
      throw new Error(
        `prime-sieve.ts 20 exited with code ${exit.code} (${exit.signal}); stderr:\n${err.trim()}`,
      );
    }
    const expected = primesByTrialDivision(20).map((p) => `prime ${p}`);
    expect(out.trim().split("\n")).toEqual(expected);
  },
  { timeoutMs: 30_000, hint: "the CLI at the end of prime-sieve.ts prints one line per prime" },
);
