/**
 * Runs `autograder/check.ts` as a child process, the way a learner runs `npm run check`, and
 * returns its exit status, output and JSON report.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { entryExecArgv } from "kernel-lib";
import { EXERCISES_DIR_ENV, REPO_ROOT } from "../lib/exercise-path";
import type { GradeReport } from "../lib/result";

/** The check script under test. */
export const CHECK = path.join(REPO_ROOT, "autograder", "check.ts");

/** What one run of check.ts produced. */
export interface CheckRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** The `--json` report; absent if check.ts wrote none. */
  report: GradeReport | undefined;
  wallMs: number;
}

/**
 * Runs `check.ts ...args --json <tmp>` grading `exercisesDir`. If it outlives `limitMs`, its
 * whole process group is killed and the run resolves with what it had (exit code null).
 */
export async function runCheck(
  args: readonly string[],
  exercisesDir: string,
  limitMs: number,
): Promise<CheckRun> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-check-"));
  const jsonFile = path.join(tmp, "report.json");
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [...entryExecArgv(CHECK), CHECK, ...args, "--json", jsonFile],
    {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, [EXERCISES_DIR_ENV]: exercisesDir },
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const killer = setTimeout(() => {
    try {
      process.kill(-(child.pid ?? 0), "SIGKILL");
    } catch {
      // Already gone.
    }
  }, limitMs);
  const exitCode = await new Promise<number | null>((resolve) => child.once("close", resolve));
  clearTimeout(killer);
  let report: GradeReport | undefined;
  try {
    report = JSON.parse(fs.readFileSync(jsonFile, "utf8")) as GradeReport;
  } catch {
    report = undefined;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { exitCode, stdout, stderr, report, wallMs: Date.now() - started };
}

/** One line per test that did not pass, for failure messages. */
export function describeFailures(report: GradeReport | undefined): string {
  if (!report) return "no JSON report";
  return report.exercises
    .flatMap((e) => [
      ...(e.note ? [`${e.exercise} note: ${e.note}`] : []),
      ...e.tests
        .filter((t) => t.status !== "passed")
        .map((t) => `${e.exercise} / ${t.name}: ${t.status}: ${t.message}`),
    ])
    .join("\n");
}
