/**
 * `npm test`: every check the project has, in order, with one closing line `N passed, N failed`
 * that CI reads. Steps: type-check (the project's own tsc, not tslab's shadow), lint, format,
 * unit and integration tests, the autograder self-test, headless execution of every notebook.
 * A step that fails does not stop the later ones, so one run reports everything.
 *
 * `npm test -- --only unit,notebooks` runs a subset while developing (CI always runs all).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "..");
const node = process.execPath;
const bin = (pkg: string, file: string): string => path.join(root, "node_modules", pkg, file);

interface StepResult {
  passed: number;
  failed: number;
}

interface Step {
  name: string;
  run(): Promise<StepResult>;
}

/**
 * Runs a command, echoing its output; resolves with its exit code and its stdout. The whole
 * process group is killed after `limitMs`, so a hung step cannot hang CI.
 */
function run(cmd: string, args: string[], limitMs: number): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
      detached: true,
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      process.stdout.write(chunk);
    });
    const timer = setTimeout(() => {
      console.error(`\n${path.basename(cmd)} ${args.join(" ")}: over ${limitMs / 1000} s, killed`);
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // Already gone.
      }
    }, limitMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 1 : 0), out });
    });
    child.on("error", () => resolve({ code: 127, out }));
  });
}

/** A step that is one check: one pass or one fail. */
const check = (name: string, cmd: string, args: string[], limitMs = 300_000): Step => ({
  name,
  async run() {
    const { code } = await run(cmd, args, limitMs);
    return code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
  },
});

/** A Jest step, counted per test from Jest's JSON report. */
const jest = (name: string, projects: string[], limitMs = 900_000): Step => ({
  name,
  async run() {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ipc-test-")), "jest.json");
    const { code } = await run(
      node,
      [
        bin("jest", "bin/jest.js"),
        "--selectProjects",
        ...projects,
        "--ci",
        "--json",
        "--outputFile",
        out,
      ],
      limitMs,
    );
    try {
      const report = JSON.parse(fs.readFileSync(out, "utf8")) as {
        numPassedTests: number;
        numFailedTests: number;
        numRuntimeErrorTestSuites: number;
        numTotalTests: number;
      };
      const failed = report.numFailedTests + report.numRuntimeErrorTestSuites;
      // A suite that crashed outright, or Jest failing for another reason, still counts.
      return {
        passed: report.numPassedTests,
        failed: failed === 0 && code !== 0 ? 1 : failed,
      };
    } catch {
      return { passed: 0, failed: 1 };
    } finally {
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    }
  },
});

/** The notebook step, counted per notebook from the runner's own summary line. */
const notebooks: Step = {
  name: "notebooks",
  async run() {
    const { code, out } = await run(
      node,
      [bin("tsx", "dist/cli.mjs"), "scripts/run-notebooks.ts"],
      1_200_000,
    );
    const m = /notebooks: (\d+) passed, (\d+) failed/.exec(out);
    if (!m) return { passed: 0, failed: 1 };
    const result = { passed: Number(m[1]), failed: Number(m[2]) };
    return code !== 0 && result.failed === 0 ? { passed: result.passed, failed: 1 } : result;
  },
};

/**
 * The autograder self-test proves the reference solutions; the student release (see
 * autograder/release) ships without solutions or self-tests, so there the step does not apply.
 */
const hasSelfTest = fs.existsSync(path.join(root, "autograder", "self-test"));

const steps: Step[] = [
  check("typecheck", node, [bin("typescript", "bin/tsc"), "-p", "tsconfig.json", "--noEmit"]),
  check("lint", node, [bin("eslint", "bin/eslint.js"), "."]),
  check("format", node, [bin("prettier", "bin/prettier.cjs"), "--check", "."]),
  jest("unit", ["kernel-lib", "scripts"]),
  ...(hasSelfTest ? [jest("autograder", ["autograder"])] : []),
  notebooks,
];

async function main(): Promise<void> {
  const onlyArg = process.argv.indexOf("--only");
  const only = onlyArg >= 0 ? (process.argv[onlyArg + 1] ?? "").split(",") : undefined;
  const selected = only ? steps.filter((s) => only.includes(s.name)) : steps;
  if (only && selected.length !== only.length) {
    console.error(`--only takes: ${steps.map((s) => s.name).join(",")}`);
    process.exit(2);
  }
  if (!hasSelfTest) console.log("(no autograder/self-test here: a student release; step left out)");
  const summary: string[] = [];
  let passed = 0;
  let failed = 0;
  for (const step of selected) {
    console.log(`\n=== ${step.name} ===`);
    const t0 = Date.now();
    const r = await step.run();
    passed += r.passed;
    failed += r.failed;
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    summary.push(
      `${r.failed === 0 ? "OK  " : "FAIL"} ${step.name.padEnd(11)} ${r.passed} passed, ${r.failed} failed (${secs} s)`,
    );
  }
  console.log(`\n${summary.join("\n")}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

void main();
