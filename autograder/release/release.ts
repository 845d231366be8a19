/**
 * `npm run release -- --out DIR [--gradescope] [--ref REF]`: builds what leaves the
 * instructors' repository, from a commit (default HEAD), never from the working tree.
 *
 * - Default: the student bundle in DIR (which must be new or empty): notebooks with outputs
 *   cleared, kernel-lib, the starters, the public tests and `npm run check`, the package files,
 *   and `.github/workflows/classroom.yml` for GitHub Classroom. No solutions, no hidden tests,
 *   no instructor tooling.
 * - `--gradescope`: `DIR/gradescope-autograder.zip`, to upload as a Gradescope autograder:
 *   `setup.sh` and `run_autograder` at its root, the grader with its hidden tests, no solutions.
 *
 * Before writing anything it checks that starters and solutions have not drifted apart
 * (drift.ts), and after building it checks the result (verify.ts): on any problem it writes
 * nothing to DIR and exits 1.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "../lib/exercise-path";
import {
  buildGradescopeZip,
  buildStudentBundle,
  ReleaseError,
  secretFilesOf,
  type ReleaseSource,
} from "./build";
import { findDrift, formatDrift } from "./drift";
import { checkoutTree, filesAt, resolveCommit } from "./git-source";

const USAGE = "usage: npm run release -- --out DIR [--gradescope] [--ref REF]";

function main(): void {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      out: { type: "string" },
      gradescope: { type: "boolean", default: false },
      ref: { type: "string", default: "HEAD" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.out) throw new UsageError("--out DIR is required");
  const out = path.resolve(values.out);
  // Checked again when delivering; checked now so a mistake costs no build.
  if (!values.gradescope && fs.existsSync(out) && fs.readdirSync(out).length > 0) {
    throw new ReleaseError(`${out} is not empty; give --out a new or empty folder`);
  }
  const started = Date.now();
  const commit = resolveCommit(REPO_ROOT, values.ref);
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-release-"));
  try {
    const tree = path.join(stage, "tree");
    checkoutTree(REPO_ROOT, commit, tree);
    // The drift check compiles the files, so it needs the packages' types.
    const modules = path.join(tree, "node_modules");
    if (!fs.existsSync(modules))
      fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), modules, "dir");
    const drifts = findDrift(
      path.join(tree, "exercises"),
      path.join(tree, "autograder", "solutions"),
      path.join(tree, "tsconfig.json"),
    );
    if (drifts.length > 0) {
      throw new ReleaseError(`starters and solutions drifted apart:\n${formatDrift(drifts)}`);
    }
    const source: ReleaseSource = {
      tree,
      files: filesAt(REPO_ROOT, commit),
      secretFiles: secretFilesOf(tree, REPO_ROOT),
    };
    const summary = values.gradescope
      ? buildGradescopeZip(source, out, stage)
      : buildStudentBundle(source, out, stage);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`${summary.join("\n")}\nreleased commit ${commit.slice(0, 12)} in ${seconds} s`);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

/** A wrong command line: exit status 2. */
class UsageError extends Error {}

try {
  main();
} catch (err) {
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(err instanceof ReleaseError ? `release refused: ${err.message}` : err);
    process.exitCode = 1;
  }
}
