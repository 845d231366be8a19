/**
 * `npm run grade` as a command: wrong command lines are refused before anything runs, and one
 * zipped submission is graded into the LMS file asked for.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { entryExecArgv } from "kernel-lib";
import { REPO_ROOT } from "../lib/exercise-path";
import { filesUnder, GRADE, leftoverProcesses, makeZip, runGrade } from "./run-grade";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-grade-cli-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

it.each([
  [[], "give exactly one of --submission and --batch"],
  [["--submission", tmp, "--batch", tmp], "give exactly one of --submission and --batch"],
  [
    ["--submission", tmp, "--format", "moodle"],
    "--format must be one of gradescope, prairielearn, json",
  ],
  [["--batch", tmp, "--jobs", "99"], "--jobs must be a whole number from 1 to 16"],
  [["--submission", path.join(tmp, "nowhere")], "does not exist"],
  [["--submission", tmp, "--exercises", "ex99"], 'no exercise "ex99"'],
])(
  "refuses %j with exit status 2",
  async (args, message) => {
    const run = await runGrade(args, 30_000);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain("usage:");
  },
  40_000,
);

it("grades one zipped submission, hidden tests too, and writes Gradescope's results.json", async () => {
  const partial = filesUnder(path.join(__dirname, "fixtures", "submissions", "partially-right"));
  const zip = path.join(tmp, "alice.zip");
  fs.writeFileSync(zip, makeZip(partial));
  const out = path.join(tmp, "results.json");
  const run = await runGrade(["--submission", zip, "--exercises", "2", "--out", out], 120_000);
  if (run.exitCode !== 0) throw new Error(`exit ${run.exitCode}:\n${run.stdout}\n${run.stderr}`);
  const score = /Score: (\d+)\/30 {2}\(graded in \d+\.\d s\)/.exec(run.stdout);
  expect(score).not.toBeNull();
  expect(run.stdout).toMatch(/^Isolation:\n {2}user: /);
  expect(run.stdout).toMatch(/ {2}FAIL +0\/2 {2}reassembles frames pushed one byte at a time/);
  const results = JSON.parse(fs.readFileSync(out, "utf8")) as {
    score: number;
    tests: { name: string; status: string; visibility: string }[];
  };
  expect(results.score).toBe(Number(score?.[1]));
  expect(results.score).toBeGreaterThan(0);
  // Public tests visible now; the hidden ones (from autograder/hidden/) once grades are out.
  const visibility = new Set(results.tests.map((t) => t.visibility));
  expect([...visibility].sort()).toEqual(["after_published", "visible"]);
  expect(run.stdout).toContain(`Wrote ${out} (gradescope)`);
}, 130_000);

it("on Ctrl-C stops every run, writes nothing for them, and leaves no process behind", async () => {
  const batch = path.join(tmp, "interrupted");
  fs.cpSync(
    path.join(__dirname, "fixtures", "submissions", "endless-loop"),
    path.join(batch, "loop"),
    {
      recursive: true,
    },
  );
  const results = path.join(tmp, "interrupted-results");
  const child = spawn(
    process.execPath,
    [...entryExecArgv(GRADE), GRADE, "--batch", batch, "--results", results, "--exercises", "2"],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
  child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  // Wait until the run is under way: processes of the grader's sandbox users exist.
  const deadline = Date.now() + 60_000;
  while (leftoverProcesses(child.pid ?? -1).length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(leftoverProcesses(child.pid ?? -1).length).toBeGreaterThan(0);
  child.kill("SIGINT");
  expect(await exited).toBe(130);
  expect(stderr).toMatch(/interrupted: stopped [1-9]\d* run\(s\); nothing was written for them/);
  expect(fs.existsSync(path.join(results, "loop.json"))).toBe(false);
  expect(leftoverProcesses(child.pid ?? -1)).toEqual([]);
}, 90_000);
