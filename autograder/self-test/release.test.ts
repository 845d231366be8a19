/**
 * Self-test of `npm run release`: the student bundle it writes holds no solution and no
 * hidden test (by path or by content), installs with `npm ci` in a folder of its own, and
 * grades a starter there with `npm run check` as a learner would.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { entryExecArgv } from "kernel-lib";
import { REPO_ROOT } from "../lib/exercise-path";
import { walkFiles } from "../release/imports";
import { cellsWithOutputs } from "../release/notebooks";
import { gradedPoints } from "../release/points";

const RELEASE = path.join(REPO_ROOT, "autograder", "release", "release.ts");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `command` in `cwd`, killing its process group after `limitMs`. */
function run(command: string, args: string[], cwd: string, limitMs: number): Promise<Run> {
  const started = Date.now();
  const child = spawn(command, args, {
    cwd,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0", IPC_EXERCISES_DIR: "" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
  child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
  const killer = setTimeout(() => {
    try {
      process.kill(-(child.pid ?? 0), "SIGKILL");
    } catch {
      // Already gone.
    }
  }, limitMs);
  return new Promise((resolve) =>
    child.once("close", (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

const release = (args: string[]): Promise<Run> =>
  run(process.execPath, [...entryExecArgv(RELEASE), RELEASE, ...args], REPO_ROOT, 120_000);

const sha256 = (file: string): string =>
  createHash("sha256").update(fs.readFileSync(file)).digest("hex");

let tmp: string;
let bundle: string;
let made: Run;

/**
 * The exercises with public tests in the bundle. The release is of a commit, so its own test
 * files are the reference, not this working tree's (which may hold uncommitted ones).
 */
const bundledExercises = (): string[] =>
  fs
    .readdirSync(path.join(bundle, "autograder", "tests"))
    .map((f) => /^(ex\d\d-[a-z0-9-]+)\.test\.ts$/.exec(f)?.[1])
    .filter((slug): slug is string => slug !== undefined)
    .sort();
const bundledPoints = (slug: string): number =>
  gradedPoints(path.join(bundle, "autograder", "tests", `${slug}.test.ts`));

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-release-test-"));
  bundle = path.join(tmp, "bundle");
  made = await release(["--out", bundle]);
}, 130_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

it("writes the student bundle and says what it did", () => {
  if (made.code !== 0) throw new Error(`release failed:\n${made.stdout}\n${made.stderr}`);
  expect(made.stdout).toMatch(/student bundle: \d+ files in /);
  for (const file of ["README.md", "package.json", "package-lock.json", "autograder/check.ts"]) {
    expect({ file, present: fs.existsSync(path.join(bundle, file)) }).toEqual({
      file,
      present: true,
    });
  }
  expect(bundledExercises()).toContain("ex02-framing");
  for (const slug of bundledExercises()) {
    expect({ slug, starter: fs.existsSync(path.join(bundle, "exercises", slug)) }).toEqual({
      slug,
      starter: true,
    });
  }
});

it("holds no file from autograder/solutions or autograder/hidden, by path or by content", () => {
  const files = walkFiles(bundle);
  const leaked = files.filter((f) =>
    /^autograder\/(solutions|hidden|self-test|release|formats|sandbox|batch)\/|^autograder\/grade\.ts$/.test(
      f,
    ),
  );
  expect(leaked).toEqual([]);
  const bundleHashes = new Map(files.map((f) => [sha256(path.join(bundle, f)), f]));
  const secretRoots = ["solutions", "hidden"].map((d) => path.join(REPO_ROOT, "autograder", d));
  const found: string[] = [];
  for (const root of secretRoots) {
    for (const rel of walkFiles(root)) {
      const secret = path.join(root, rel);
      if (fs.statSync(secret).size === 0) continue;
      const inBundle = bundleHashes.get(sha256(secret));
      // A solution file the exercise hands out complete is its own starter, at that path.
      const handedOut = inBundle === `exercises/${rel}` && root.endsWith("solutions");
      if (inBundle && !handedOut) found.push(`${inBundle} has the content of ${secret}`);
    }
  }
  expect(found).toEqual([]);
});

it("clears every notebook's outputs and drops the scripts whose programs stayed home", () => {
  const notebooks = walkFiles(bundle).filter((f) => f.endsWith(".ipynb"));
  expect(notebooks.length).toBeGreaterThan(0);
  for (const nb of notebooks) {
    expect({ nb, cells: cellsWithOutputs(fs.readFileSync(path.join(bundle, nb), "utf8")) }).toEqual(
      { nb, cells: 0 },
    );
  }
  const ours = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
    dependencies: Record<string, string>;
  };
  const theirs = JSON.parse(fs.readFileSync(path.join(bundle, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
    dependencies: Record<string, string>;
  };
  expect(theirs.scripts.release).toBeUndefined();
  expect(theirs.scripts.check).toBe(ours.scripts.check);
  expect(theirs.dependencies).toEqual(ours.dependencies);
});

it("ships a GitHub Classroom workflow with one step per exercise, worth its points", () => {
  const workflow = fs.readFileSync(path.join(bundle, ".github/workflows/classroom.yml"), "utf8");
  const steps = [
    ...workflow.matchAll(/command: npm run check -- (ex\d\d)\n.*\n\s+max-score: (\d+)/g),
  ];
  const expected = bundledExercises().map((slug) => [
    slug.slice(0, 4),
    String(bundledPoints(slug)),
  ]);
  expect(steps.map((m) => [m[1], m[2]])).toEqual(expected);
  expect(workflow).toContain(`runners: ${bundledExercises().join(",")}`);
});

it("refuses to write into a folder that is not empty", async () => {
  const refused = await release(["--out", bundle]);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("is not empty");
}, 60_000);

it("installs with npm ci on its own, grades a starter with npm run check and type-checks", async () => {
  const copy = path.join(tmp, "learner");
  fs.cpSync(bundle, copy, { recursive: true });
  const install = await run(
    NPM,
    ["ci", "--prefer-offline", "--no-audit", "--no-fund"],
    copy,
    240_000,
  );
  if (install.code !== 0) throw new Error(`npm ci failed:\n${install.stderr.slice(-3000)}`);
  const check = await run(NPM, ["run", "check", "--", "ex02"], copy, 120_000);
  const points = bundledPoints("ex02-framing");
  expect({ code: check.code, score: /Score: \d+\/\d+/.exec(check.stdout)?.[0] }).toEqual({
    code: 1,
    score: `Score: 0/${points}`,
  });
  // It graded the bundle's own starters, not this repository's.
  expect(check.stdout).toContain(`Grading exercises (${path.join(copy, "exercises")})`);
  // The learner's `npm run typecheck`: the shipped files compile without what stayed home.
  const tsc = path.join(copy, "node_modules", "typescript", "bin", "tsc");
  const typecheck = await run(process.execPath, [tsc, "-p", "tsconfig.json"], copy, 120_000);
  expect({ code: typecheck.code, errors: typecheck.stdout }).toEqual({ code: 0, errors: "" });
  const seconds = (r: Run): string => `${(r.ms / 1000).toFixed(1)} s`;
  console.log(`npm ci ${seconds(install)}, check ${seconds(check)}, tsc ${seconds(typecheck)}`);
}, 370_000);
