/**
 * The temporary directory one submission is graded in, laid out so that the run's user can read
 * its own code and write only its own run directories:
 *
 *   ipc-grade-ws-XXXX/        root, 0711: nobody lists it
 *     node_modules ->         the checkout's (so "kernel-lib" resolves from the submission)
 *     tsconfig.json           root: stops tsx from looking further up (e.g. a planted /tmp one)
 *     exercises/<slug>/...    root:<submission group>, 0750 / 0640: the copy of the submission
 *     runs/<n>-<label>/       <run user>, 0700: home/, tmp/, cache/ (jest's), out/
 *
 * Without root (no user of its own) the same layout is made with the grader's own user.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../lib/exercise-path";
import type { Stage } from "./stage";
import type { ZipFile } from "./zip";

/** One run's directories. */
export interface RunDirs {
  root: string;
  home: string;
  tmp: string;
  cache: string;
  out: string;
}

/** Where a run's files are, for the grader and as the run sees them. */
export interface RunPlacement {
  /** The run's directories on the host (the grader reads `out` from here). */
  host: RunDirs;
  /** The same directories as the run sees them (at the stage's paths when mounted there). */
  visible: RunDirs;
  /** The submission's exercise folders, as the run sees them. */
  exercisesDir: string;
  /** The jest configuration (the stage's: always the same path, as jest's cache wants). */
  jestConfig: string;
  /** Working directory the run starts in (before any mount). */
  cwd: string;
  /** Working directory once the bind mounts exist (with a mount namespace only). */
  innerCwd?: string;
  /** Bind mounts (source on the host, target the run sees) that make `visible` true. */
  binds: [string, string][];
}

function runDirsUnder(root: string): RunDirs {
  return {
    root,
    home: path.join(root, "home"),
    tmp: path.join(root, "tmp"),
    cache: path.join(root, "cache"),
    out: path.join(root, "out"),
  };
}

/** Workspaces not yet removed, for {@link Workspace.removeAll}. */
const existing = new Set<Workspace>();

/** Prefix of workspace directories; `<prefix><grader pid>-` names the grader that made one. */
const PREFIX = "ipc-grade-ws-";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A submission's grading directory. */
export class Workspace {
  /** Where the exercise folders are copied (IPC_EXERCISES_DIR of the runs). */
  readonly exercisesDir: string;
  private runCount = 0;

  private constructor(
    readonly root: string,
    /** The submission's group, or undefined when runs keep the grader's user. */
    private readonly gid: number | undefined,
  ) {
    this.exercisesDir = path.join(root, "exercises");
  }

  /**
   * Makes a fresh workspace whose files group `gid` may read (undefined: runs keep the
   * grader's user).
   */
  static create(gid: number | undefined): Workspace {
    if (existing.size === 0) process.once("exit", () => Workspace.removeAll());
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`));
    fs.chmodSync(root, 0o711);
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(root, "node_modules"));
    fs.writeFileSync(
      path.join(root, "tsconfig.json"),
      JSON.stringify({ extends: path.join(REPO_ROOT, "tsconfig.json"), include: [] }) + "\n",
    );
    const workspace = new Workspace(root, gid);
    existing.add(workspace);
    workspace.makeDir(workspace.exercisesDir, 0o750);
    workspace.makeDir(path.join(root, "runs"), 0o711, false);
    return workspace;
  }

  private makeDir(dir: string, mode: number, groupReadable = true): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, mode);
    if (groupReadable && this.gid !== undefined) fs.chownSync(dir, 0, this.gid);
  }

  /** Writes `files` (paths already checked by the reader) into `exercises/<slug>/`. */
  addExercise(slug: string, files: readonly ZipFile[]): string[] {
    const base = path.join(this.exercisesDir, slug);
    this.makeDir(base, 0o750);
    const written: string[] = [];
    for (const file of files) {
      const target = path.join(base, ...file.path.split("/"));
      if (!target.startsWith(base + path.sep)) continue; // belt and braces: the reader checks
      let dir = path.dirname(target);
      const missing: string[] = [];
      while (!fs.existsSync(dir)) {
        missing.unshift(dir);
        dir = path.dirname(dir);
      }
      for (const d of missing) this.makeDir(d, 0o750);
      fs.writeFileSync(target, file.data, { mode: 0o640 });
      if (this.gid !== undefined) fs.chownSync(target, 0, this.gid);
      written.push(target);
    }
    return written;
  }

  /**
   * Fresh directories for one run, owned by the run's user `uid`, starting with a copy of the
   * warm jest cache. Jest finds its cache entries again when the configuration's path and the
   * working directory are the stage's (the cache directory's own path does not matter). With
   * `mounted` (a mount namespace exists) the run also sees its directories and the exercises at
   * the stage's paths; without, at their own, from the stage's working directory.
   */
  newRun(label: string, uid: number, stage: Stage, mounted: boolean): RunPlacement {
    const host = runDirsUnder(path.join(this.root, "runs", `${++this.runCount}-${label}`));
    for (const dir of Object.values(host)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (fs.existsSync(stage.cacheDir)) fs.cpSync(stage.cacheDir, host.cache, { recursive: true });
    if (this.gid !== undefined) chownTree(host.root, uid, this.gid);
    if (!mounted) {
      return {
        host,
        visible: host,
        exercisesDir: this.exercisesDir,
        jestConfig: stage.jestConfig,
        cwd: stage.runDir,
        binds: [],
      };
    }
    return {
      host,
      visible: runDirsUnder(stage.runDir),
      exercisesDir: stage.exercisesDir,
      jestConfig: stage.jestConfig,
      // The cwd is set before the namespace's bind mounts exist; then the run's view.
      cwd: host.root,
      innerCwd: stage.runDir,
      binds: [
        [this.exercisesDir, stage.exercisesDir],
        [host.root, stage.runDir],
      ],
    };
  }

  /** Removes everything (the runs' processes must be gone). */
  remove(): void {
    existing.delete(this);
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  /** Removes every workspace of this process (an interrupted grader, on its way out). */
  static removeAll(): void {
    for (const workspace of [...existing]) workspace.remove();
  }

  /**
   * Removes workspaces left by graders that are gone (killed with SIGKILL), made by this user.
   * Their processes are gone too: the cgroups' sweep (or the run user's) saw to that.
   */
  static removeStale(): void {
    const me = process.getuid?.();
    for (const entry of fs.readdirSync(os.tmpdir())) {
      const pid = Number(/^ipc-grade-ws-(\d+)-/.exec(entry)?.[1]);
      if (!(pid > 0) || pid === process.pid || isAlive(pid)) continue;
      const dir = path.join(os.tmpdir(), entry);
      try {
        if (me === undefined || fs.lstatSync(dir).uid === me) {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      } catch {
        // Another grader removed it first.
      }
    }
  }
}

function chownTree(dir: string, uid: number, gid: number): void {
  fs.chownSync(dir, uid, gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(full, uid, gid);
    else fs.lchownSync(full, uid, gid);
  }
}
