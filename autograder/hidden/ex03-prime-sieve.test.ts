/**
 * Hidden graded tests of ex03 (prime sieve): boundaries of n and sieves running side by side.
 * Never released to learners; `npm run grade` runs them after the public ones.
 */
import { isChannelError, liveResources } from "kernel-lib";
import type * as PrimeSieve from "../../exercises/ex03-prime-sieve/prime-sieve";
import { loadExercise } from "../lib/exercise-path";
import { graded } from "../lib/graded";

const sieve = (): typeof PrimeSieve =>
  loadExercise<typeof PrimeSieve>("ex03-prime-sieve", "prime-sieve");

/** The primes up to `n`, by trial division: the expected answers. */
function primesUpTo(n: number): number[] {
  const primes: number[] = [];
  for (let k = 2; k <= n; k++) if (primes.every((p) => k % p !== 0)) primes.push(k);
  return primes;
}

/** Throws unless a run's primes and stage primes are those up to `n`, one pid per stage. */
function expectRun(run: PrimeSieve.SieveRun, n: number, step: string): void {
  const expected = primesUpTo(n);
  const got = { primes: run.primes, stagePrimes: run.stages.map((s) => s.prime) };
  expect({ step, ...got }).toEqual({ step, primes: expected, stagePrimes: expected });
  expect({ step, pids: new Set(run.stages.map((s) => s.pid)).size }).toEqual({
    step,
    pids: expected.length,
  });
}

graded(
  "includes n when n is prime (23) and excludes it one below (22)",
  2,
  async () => {
    const { runSieve } = sieve();
    expectRun(await runSieve(23), 23, "runSieve(23)");
    expectRun(await runSieve(22), 22, "runSieve(22)");
  },
  { timeoutMs: 40_000, hint: "feed every number from 2 up to and including n, and none past it" },
);

graded(
  "starts no stage for numbers the last stage's prime divides (n = 3 and n = 4: two stages)",
  2,
  async () => {
    const { runSieve } = sieve();
    expectRun(await runSieve(3), 3, "runSieve(3)");
    const four = await runSieve(4);
    expectRun(four, 4, "runSieve(4)");
    expect(four.stages).toHaveLength(2);
  },
  {
    timeoutMs: 30_000,
    hint: "a stage starts the next one only when a number its prime does not divide arrives",
  },
);

graded(
  "runs two sieves at once without mixing their primes or stages",
  3,
  async () => {
    const { runSieve } = sieve();
    const [a, b] = await Promise.all([runSieve(19), runSieve(29)]);
    expectRun(a, 19, "runSieve(19), run alongside runSieve(29)");
    expectRun(b, 29, "runSieve(29), run alongside runSieve(19)");
    const shared = a.stages.filter((s) => b.stages.some((t) => t.pid === s.pid));
    expect({ stagesInBothRuns: shared }).toEqual({ stagesInBothRuns: [] });
    expect(liveResources()).toEqual([]);
  },
  {
    timeoutMs: 60_000,
    hint: "keep every pipe and child in runSieve's own variables: no module-level state",
  },
);

graded(
  "rejects Infinity and fractions near the bounds with InvalidArgument",
  1,
  async () => {
    const { runSieve, MAX_N } = sieve();
    for (const bad of [Infinity, -Infinity, 1.999, MAX_N + 0.5]) {
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
  { hint: "Number.isInteger(n) rejects Infinity, NaN and fractions in one check" },
);

graded(
  "gives the same answer on two runs in a row, leaving nothing open between them",
  2,
  async () => {
    const { runSieve } = sieve();
    for (let i = 1; i <= 2; i++) {
      expectRun(await runSieve(11), 11, `run ${i} of runSieve(11)`);
      expect({ run: i, open: liveResources() }).toEqual({ run: i, open: [] });
    }
  },
  { timeoutMs: 45_000, hint: "close both pipe halves and await stage 1's exit before resolving" },
);
