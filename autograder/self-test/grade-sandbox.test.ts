/**
 * The sandbox on its own (`autograder/sandbox/`), with real processes: who a run executes as,
 * what it can see, and that nothing it starts outlives it, including through the fallbacks
 * used where cgroups or a user of its own are not available. Where this machine lacks a
 * mechanism, the test checks that the isolation report says so instead.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { JEST_BIN } from "../lib/test-manifest";
import { probeIsolation, type IsolationPlan } from "../sandbox/isolation";
import { pidsOwnedBy, pidsWithMarker } from "../sandbox/process-sweep";
import { RUN_MARKER_ENV, startSandboxed, type SandboxSpec } from "../sandbox/run-sandboxed";
import { sandboxUid } from "../sandbox/sandbox-uid";

const plan = probeIsolation([JEST_BIN]);
const report = plan.report.join("\n");
const hidden = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-sandbox-hidden-"));
fs.writeFileSync(path.join(hidden, "secret.txt"), "reference solution");
let parent = "";
let runDir = "";

beforeEach(() => {
  // A root-owned parent: the run's user owns only its own directory.
  parent = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-sandbox-test-"));
  runDir = path.join(parent, "run");
  fs.mkdirSync(runDir);
  if (plan.setpriv) fs.chownSync(runDir, uid, uid);
});

afterEach(() => fs.rmSync(parent, { recursive: true, force: true }));
afterAll(() => fs.rmSync(hidden, { recursive: true, force: true }));

const uid = sandboxUid(3);

/** A sandboxed `node -e script` with small limits. */
function spec(script: string, overrides: Partial<SandboxSpec> = {}): SandboxSpec {
  return {
    command: process.execPath,
    args: ["-e", script],
    cwd: runDir,
    env: { PATH: "/usr/bin:/bin", HOME: runDir },
    uid,
    wallMs: 20_000,
    memoryBytes: 256 * 1024 ** 2,
    tasks: 64,
    hiddenDirs: [hidden],
    ...overrides,
  };
}

/** Starts `setsid sleep 300` with an empty environment: out of the group, unmarked. */
const ESCAPE = `require("child_process").spawn("setsid", ["sleep", "300"],
  { detached: true, stdio: "ignore", env: {} }).unref();`;

it("runs a submission as a user of its own, in its own directory, without network", async () => {
  const run = startSandboxed(
    plan,
    spec(`console.log(JSON.stringify({ uid: process.getuid(), cwd: process.cwd(),
      home: process.env.HOME, interfaces: Object.keys(require("os").networkInterfaces()),
      secret: require("fs").readdirSync(${JSON.stringify(hidden)}) }));`),
  );
  const exit = await run.finished;
  expect(exit).toMatchObject({ code: 0, signal: null, strays: [] });
  const seen = JSON.parse(exit.stdout) as Record<string, unknown>;
  expect(seen).toMatchObject({ cwd: runDir, home: runDir });
  if (plan.setpriv) expect(seen.uid).toBe(uid);
  else expect(report).toMatch(/user: NOT dropped/);
  if (plan.network) expect(seen.interfaces).toEqual(["lo"]);
  else expect(report).toMatch(/network: NOT isolated/);
  if (plan.mount) expect(seen.secret).toEqual([]);
  else expect(report).toMatch(/files: NOT hidden/);
}, 30_000);

it("kills a process that left its session and environment behind, once the run exits", async () => {
  const exit = await startSandboxed(plan, spec(ESCAPE)).finished;
  expect(exit.code).toBe(0);
  expect(exit.strays).toEqual([expect.stringMatching(/^pid \d+ \((setsid )?sleep 300\)$/)]);
  expect(exit.survivors).toBe(0);
  if (plan.setpriv) expect(pidsOwnedBy(uid)).toEqual([]);
}, 30_000);

it("refuses forks past the task cap and leaves none of them running", async () => {
  if (!plan.cgroups?.pids && !(plan.setpriv && plan.prlimit)) {
    expect(report).toMatch(/processes: NOT capped/);
    return;
  }
  const exit = await startSandboxed(
    plan,
    spec(`const cp = require("child_process"); let refused = 0;
      for (let i = 0; i < 300; i++) cp.spawn("sleep", ["300"], { stdio: "ignore" })
        .on("error", () => refused++);
      setTimeout(() => { console.log(refused); process.exit(0); }, 1000);`),
  ).finished;
  expect(Number(exit.stdout)).toBeGreaterThan(200);
  if (plan.cgroups?.pids) expect(exit.stats.taskLimitHits).toBeGreaterThan(0);
  expect(exit.strays.length).toBeLessThanOrEqual(64);
  expect(exit.survivors).toBe(0);
}, 30_000);

it("kills a run that outgrows its memory limit and counts the kill", async () => {
  if (!plan.cgroups?.memory) {
    expect(report).toMatch(/memory: only the test process's JavaScript heap/);
    return;
  }
  const exit = await startSandboxed(
    plan,
    spec(`const hog = []; for (;;) hog.push(Buffer.alloc(32 * 1024 * 1024, 1));`),
  ).finished;
  expect(exit.signal).toBe("SIGKILL");
  expect(exit.stats.oomKills).toBeGreaterThan(0);
}, 30_000);

it("stops a run at its wall-clock limit, with the processes it started", async () => {
  const started = Date.now();
  const exit = await startSandboxed(plan, spec(`${ESCAPE} for (;;) {}`, { wallMs: 2_000 }))
    .finished;
  expect(exit.stopReason).toBe("the run was stopped at its time limit of 2 s");
  expect(exit.survivors).toBe(0);
  expect(Date.now() - started).toBeLessThan(10_000);
  if (plan.setpriv) expect(pidsOwnedBy(uid)).toEqual([]);
}, 30_000);

it("names the step when the sandbox cannot be set up, and never runs the command", async () => {
  if (!plan.mount) return; // bind mounts are refused outright without a mount namespace
  const missing = path.join(parent, "no-such-dir");
  const exit = await startSandboxed(
    plan,
    spec(`require("fs").writeFileSync(${JSON.stringify(path.join(runDir, "ran"))}, "")`, {
      binds: [[runDir, missing]],
    }),
  ).finished;
  expect(exit.setupError).toMatch(
    new RegExp(`^the sandbox could not be set up: mounting ${missing}\n`),
  );
  expect(fs.existsSync(path.join(runDir, "ran"))).toBe(false);
}, 30_000);

describe("without cgroups", () => {
  const noCgroups: IsolationPlan = { ...plan, cgroups: undefined };

  it("still kills a detached process, by the run's own user", async () => {
    if (!plan.setpriv) return; // covered by the marker test below
    const exit = await startSandboxed(noCgroups, spec(ESCAPE)).finished;
    expect(exit.strays).toEqual([expect.stringMatching(/sleep 300\)$/)]);
    expect(exit.survivors).toBe(0);
    expect(pidsOwnedBy(uid)).toEqual([]);
  }, 30_000);

  it("without a user of its own either, kills a detached process by its environment marker", async () => {
    const bare: IsolationPlan = { ...noCgroups, setpriv: undefined, prlimit: undefined };
    const keepsMarker = `require("child_process").spawn("setsid", ["sleep", "300"],
      { detached: true, stdio: "ignore" }).unref();
      console.log(process.env.${RUN_MARKER_ENV});`;
    const exit = await startSandboxed(bare, spec(keepsMarker)).finished;
    expect(exit.strays).toEqual([expect.stringMatching(/sleep 300\)$/)]);
    expect(exit.survivors).toBe(0);
    expect(pidsWithMarker(RUN_MARKER_ENV, exit.stdout.trim())).toEqual([]);
  }, 30_000);
});
