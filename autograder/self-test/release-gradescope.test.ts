/**
 * Self-test of the Gradescope autograder zip: built from this repository's last commit, it
 * has `setup.sh` and an executable `run_autograder` at its root, the hidden tests and no
 * solution; unpacked as Gradescope unpacks it, `run_autograder` places a submission and hands
 * it to `npm run grade` with the arguments the grader expects, leaving results.json behind.
 *
 * `npm run grade` itself is replaced by a stub recording what it was given: this test is about
 * the zip and the script around the grader, not the grader.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { REPO_ROOT } from "../lib/exercise-path";
import { buildGradescopeZip, GRADESCOPE_ZIP, secretFilesOf } from "../release/build";
import { checkoutTree, filesAt, resolveCommit } from "../release/git-source";
import { walkFiles } from "../release/imports";
import { filesUnder, sha256 } from "../release/verify";

const STUB_GRADE = `import * as fs from "node:fs";
const args = process.argv.slice(2);
const value = (flag: string): string => args[args.indexOf(flag) + 1] ?? "";
const placed = fs.readdirSync(value("--submission")).sort();
fs.writeFileSync(value("--out"), JSON.stringify({ score: 0, output: JSON.stringify({ args, placed }), tests: [] }));
`;

let tmp: string;
/** The commit's files, checked out: the reference for what the zip must hold. */
let tree: string;
let unpacked: string;

/** Unpacks the zip at `file` into `dir` (Node's inflate; the test of the writer is elsewhere). */
function unzip(file: string, dir: string): void {
  const bytes = fs.readFileSync(file);
  const end = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = bytes.readUInt32LE(end + 16);
  for (let i = 0; i < bytes.readUInt16LE(end + 10); i++) {
    const size = bytes.readUInt32LE(at + 20);
    const nameLength = bytes.readUInt16LE(at + 28);
    const mode = (bytes.readUInt32LE(at + 38) >>> 16) & 0o777;
    const local = bytes.readUInt32LE(at + 42);
    const name = bytes.toString("utf8", at + 46, at + 46 + nameLength);
    const dataAt = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    const target = path.join(dir, name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, zlib.inflateRawSync(bytes.subarray(dataAt, dataAt + size)));
    fs.chmodSync(target, mode);
    at += 46 + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
  }
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-gradescope-test-"));
  tree = path.join(tmp, "tree");
  const commit = resolveCommit(REPO_ROOT, "HEAD");
  checkoutTree(REPO_ROOT, commit, tree);
  // The stub grader, in the commit's tree as the real one will be.
  fs.writeFileSync(path.join(tree, "autograder", "grade.ts"), STUB_GRADE);
  const pkgFile = path.join(tree, "package.json");
  const pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8")) as { scripts: Record<string, string> };
  pkg.scripts.grade = "tsx autograder/grade.ts";
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
  const secretFiles = secretFilesOf(tree, REPO_ROOT);
  const files = [...filesAt(REPO_ROOT, commit), "autograder/grade.ts"];
  buildGradescopeZip({ tree, files, secretFiles }, path.join(tmp, "out"), tmp);
  unpacked = path.join(tmp, "autograder", "source");
  unzip(path.join(tmp, "out", GRADESCOPE_ZIP), unpacked);
}, 60_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

it("has setup.sh and an executable run_autograder at its root, both valid bash", () => {
  for (const script of ["setup.sh", "run_autograder"]) {
    const file = path.join(unpacked, script);
    expect({ script, executable: (fs.statSync(file).mode & 0o111) !== 0 }).toEqual({
      script,
      executable: true,
    });
    expect(spawnSync("bash", ["-n", file]).status).toBe(0);
  }
  expect(fs.readFileSync(path.join(unpacked, "setup.sh"), "utf8")).toMatch(/setup_20\.x/);
});

it("holds the hidden tests and the grader but no solution, by path or by content", () => {
  const files = walkFiles(unpacked);
  expect(files).toContain("autograder/grade.ts");
  expect(files).toContain("gradescope/place-submission.ts");
  const hidden = walkFiles(path.join(tree, "autograder", "hidden")).filter((f) =>
    f.endsWith(".test.ts"),
  );
  expect(hidden.length).toBeGreaterThan(0);
  for (const f of hidden) expect(files).toContain(`autograder/hidden/${f}`);
  expect(files.filter((f) => /^autograder\/(solutions|self-test|release)\//.test(f))).toEqual([]);
  expect(files.filter((f) => f.startsWith("notebooks/"))).toEqual([]);
  const hashes = new Set(files.map((f) => sha256(path.join(unpacked, f))));
  const solutions = filesUnder(path.join(REPO_ROOT, "autograder", "solutions"));
  const leaked = solutions.filter((s) => {
    const starter = s.replace(`${path.sep}autograder${path.sep}solutions`, `${path.sep}exercises`);
    const handedOut = fs.existsSync(starter) && sha256(starter) === sha256(s);
    return hashes.has(sha256(s)) && !handedOut;
  });
  expect(leaked).toEqual([]);
});

it("run_autograder places a loose-file submission and runs grade into results/results.json", () => {
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(unpacked, "node_modules"), "dir");
  const root = path.join(tmp, "autograder");
  const submission = path.join(root, "submission");
  fs.mkdirSync(submission, { recursive: true });
  fs.writeFileSync(path.join(submission, "framing.ts"), "export const mine = true;\n");
  const run = spawnSync(path.join(unpacked, "run_autograder"), [], {
    env: { ...process.env, AUTOGRADER_ROOT: root },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (run.status !== 0)
    throw new Error(`run_autograder exit ${run.status}:\n${run.stdout}\n${run.stderr}`);
  expect(run.stdout).toContain("ex02-framing/framing.ts <- framing.ts");
  expect(run.stdout).toMatch(/ex03-prime-sieve\/prime-sieve\.ts: not submitted, starter used/);
  const results = JSON.parse(
    fs.readFileSync(path.join(root, "results", "results.json"), "utf8"),
  ) as { output: string };
  const { args, placed } = JSON.parse(results.output) as { args: string[]; placed: string[] };
  expect(args).toEqual([
    "--submission",
    expect.stringMatching(/exercises$/),
    "--format",
    "gradescope",
    "--out",
    path.join(root, "results", "results.json"),
  ]);
  expect(placed).toEqual(
    fs
      .readdirSync(path.join(unpacked, "exercises"))
      .filter((d) => d.startsWith("ex"))
      .sort(),
  );
}, 90_000);

it("run_autograder fails, rather than report a score, when the grader fails", () => {
  const grade = path.join(unpacked, "autograder", "grade.ts");
  const real = fs.readFileSync(grade, "utf8");
  fs.writeFileSync(grade, 'console.error("grader broke"); process.exit(3);\n');
  const root = path.join(tmp, "autograder");
  fs.rmSync(path.join(root, "results"), { recursive: true, force: true });
  try {
    const run = spawnSync(path.join(unpacked, "run_autograder"), [], {
      env: { ...process.env, AUTOGRADER_ROOT: root },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/npm run grade failed \(exit [1-9]\d*\)/);
    expect(fs.existsSync(path.join(root, "results", "results.json"))).toBe(false);
  } finally {
    fs.writeFileSync(grade, real);
  }
}, 60_000);
