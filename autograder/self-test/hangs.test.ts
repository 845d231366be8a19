/**
 * Self-test of the autograder's time limits: a deadlocked implementation and one frozen in an
 * endless loop are both reported as timed out, within bounded time, and leave nothing running.
 */
import * as path from "node:path";
import { timeoutMessage } from "../lib/graded";
import { CLEANUP_MS, WATCHDOG_GRACE_MS } from "../lib/limits";
import { runCheck } from "./run-check";

const FIXTURES = path.join(__dirname, "fixtures");
/** Starting check.ts, jest and ts-jest on a busy 2-core machine. */
const STARTUP_MS = 20_000;

it("reports a deadlocked sieve as timed out with a possible deadlock, within bounded time", async () => {
  const testName = "finds the only prime up to 2 with a single stage process";
  const limitMs = 15_000; // that test's own time limit, in autograder/tests/
  const run = await runCheck(
    ["ex03", "--test", testName],
    path.join(FIXTURES, "deadlock"),
    limitMs + CLEANUP_MS + STARTUP_MS,
  );
  expect(run.exitCode).toBe(1);
  const [exercise] = run.report?.exercises ?? [];
  expect(exercise?.note).toBeUndefined(); // nothing left running, the run was not stopped
  expect(exercise?.tests).toEqual([
    expect.objectContaining({ name: testName, status: "timed-out", points: 0, maxPoints: 2 }),
  ]);
  expect(exercise?.tests[0]?.message).toBe(timeoutMessage(limitMs));
  expect(run.stdout).toContain("timed out after 15 s: possible deadlock");
  expect(run.wallMs).toBeLessThan(limitMs + CLEANUP_MS + STARTUP_MS);
}, 60_000);

it("stops a run frozen by an endless loop and names the test that froze it", async () => {
  const testName = "returns the payload of a whole frame pushed in one chunk";
  const limitMs = 10_000; // the default limit, which that test keeps
  const run = await runCheck(
    ["ex02", "--test", testName],
    path.join(FIXTURES, "endless-loop"),
    limitMs + CLEANUP_MS + WATCHDOG_GRACE_MS + STARTUP_MS,
  );
  expect(run.exitCode).toBe(1);
  const [exercise] = run.report?.exercises ?? [];
  expect(exercise?.tests).toEqual([
    expect.objectContaining({ name: testName, status: "timed-out", points: 0, maxPoints: 2 }),
  ]);
  expect(exercise?.tests[0]?.message).toMatch(/past its limit of 10 s, .*endless loop/);
  expect(run.stdout).toContain(`FAIL   0/2  ${testName}`);
  expect(run.wallMs).toBeLessThan(limitMs + CLEANUP_MS + WATCHDOG_GRACE_MS + STARTUP_MS);
}, 60_000);
