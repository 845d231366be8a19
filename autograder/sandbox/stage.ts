/**
 * Fixed paths every sandboxed run works from. Jest keys its transform cache by the
 * configuration's path and the working directory, so runs started from different places would
 * each transform the test files and kernel-lib from scratch (several seconds each). Every run,
 * and the trusted manifest run that warms the cache, therefore use this configuration and
 * start in `run/`; inside a run's mount namespace its own workspace is also bind-mounted here,
 * so it sees its files at the same paths as every other run:
 *
 *   <tmp>/ipc-grade-stage-<uid>-<checkout hash>/   (one per checkout: each has its config)
 *     jest.config.js     the sandbox jest configuration (jest 30 wants one above the cwd)
 *     node_modules ->    the checkout's, so "kernel-lib" resolves from the submission's code
 *     tsconfig.json      stops tsx from looking further up (e.g. at a planted /tmp one)
 *     exercises/         <- the submission's copy (a run's view, with a mount namespace)
 *     run/               the working directory; <- the run's own directory (same)
 *       cache/           on the host: the warm jest cache each run starts from a copy of
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../lib/exercise-path";
import { SANDBOX_JEST_CONFIG } from "../lib/test-manifest";

/** The stage's paths. */
export interface Stage {
  root: string;
  jestConfig: string;
  exercisesDir: string;
  runDir: string;
  /** The warm jest cache (host view), and the cache path runs use (their view). */
  cacheDir: string;
}

/** Creates the stage (root-owned, readable by run users) if needed, and returns its paths. */
export function ensureStage(): Stage {
  const checkout = createHash("sha256").update(REPO_ROOT).digest("hex").slice(0, 10);
  const user = process.getuid?.() ?? "user";
  const root = path.join(os.tmpdir(), `ipc-grade-stage-${user}-${checkout}`);
  const stage: Stage = {
    root,
    jestConfig: path.join(root, "jest.config.js"),
    exercisesDir: path.join(root, "exercises"),
    runDir: path.join(root, "run"),
    cacheDir: path.join(root, "run", "cache"),
  };
  for (const dir of [root, stage.exercisesDir, stage.runDir]) {
    fs.mkdirSync(dir, { recursive: true });
    // In a shared /tmp someone else could have made it first (or a symlink to elsewhere).
    const stat = fs.lstatSync(dir);
    if (!stat.isDirectory() || stat.uid !== (process.getuid?.() ?? stat.uid)) {
      throw new Error(`${dir} exists but is not a directory of this user: remove it`);
    }
    fs.chmodSync(dir, 0o755);
  }
  fs.mkdirSync(stage.cacheDir, { recursive: true, mode: 0o700 });
  writeIfChanged(
    path.join(root, "tsconfig.json"),
    JSON.stringify({ extends: path.join(REPO_ROOT, "tsconfig.json"), include: [] }) + "\n",
  );
  const modules = path.join(root, "node_modules");
  if (!fs.existsSync(modules)) {
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), `${modules}.${process.pid}`);
    fs.renameSync(`${modules}.${process.pid}`, modules);
  }
  const config = `module.exports = require(${JSON.stringify(SANDBOX_JEST_CONFIG)});\n`;
  writeIfChanged(stage.jestConfig, config);
  return stage;
}

/** Writes `text` to `file` unless it holds it already; atomically, as graders may share it. */
function writeIfChanged(file: string, text: string): void {
  if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === text) return;
  fs.writeFileSync(`${file}.${process.pid}`, text);
  fs.renameSync(`${file}.${process.pid}`, file);
}
