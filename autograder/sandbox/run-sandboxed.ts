/**
 * Runs one command confined by what `isolation.ts` found: in its own cgroup (memory limit, task
 * cap, every process tracked), its own namespaces (no network, private /dev/shm, hidden
 * paths), as a user of its own, under a wall-clock limit. When the command exits, or is
 * stopped, every process it started is killed, however it detached.
 *
 * The command is started through a chain that each step `exec`s, so the pid, exit status and
 * file descriptors are the command's own:
 *   unshare (namespaces) -> sh (join cgroups, loopback up, mounts; as root) ->
 *   prlimit (RLIMIT_NPROC) -> setpriv (the run's user) -> command
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { RunCgroup, type CgroupStats } from "./cgroup";
import { setprivArgs, type IsolationPlan } from "./isolation";
import { describeProcess, killUntilGone, pidsOwnedBy, pidsWithMarker } from "./process-sweep";

/** Environment variable that marks every process of a run (the last-resort way to find them). */
export const RUN_MARKER_ENV = "IPC_SANDBOX_RUN";

/** Exit status of the wrapper when the sandbox itself could not be set up... */
const SETUP_FAILED = 97;
/** ...and the start of the line it prints on stderr, naming the step. */
const SETUP_FAILED_MARK = "ipc-grade: sandbox set-up failed";

/** Longest stdout or stderr kept, in bytes; the rest is counted, not stored. */
const MAX_OUTPUT_BYTES = 1024 * 1024;

/** What to run and within which limits. */
export interface SandboxSpec {
  command: string;
  args: string[];
  /** Working directory (the run's own directory). */
  cwd: string;
  /** The whole environment: nothing of the grader's is passed on unless listed here. */
  env: Record<string, string>;
  /** The run's user (see `sandbox-uid.ts`); used when the plan can drop privileges. */
  uid: number;
  /** The run's group; default: the same number as the user. */
  gid?: number;
  /** Wall-clock limit; past it the whole run is killed. */
  wallMs: number;
  memoryBytes: number;
  /** Cap on tasks (processes and threads). */
  tasks: number;
  /** Extra pipes the command gets as fds 3, 4, ... (`child.stdio[3]`, ...). */
  extraPipes?: number;
  /** Directories made empty and read-only inside the run (when a mount namespace exists). */
  hiddenDirs?: string[];
  /** Bind mounts [source, target] made inside the run (only with a mount namespace). */
  binds?: [string, string][];
  /** Working directory to change to once the mounts exist (a bind target); default `cwd`. */
  innerCwd?: string;
  /** Processes that may outlive the command without being reported as left behind. */
  isHelper?: (commandLine: string) => boolean;
}

/** How a sandboxed run ended. */
export interface SandboxExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  wallMs: number;
  /** Why the run was stopped early (its time limit, or the caller's reason). */
  stopReason?: string;
  /** The sandbox could not be set up (the command never ran): the wrapper's message. */
  setupError?: string;
  /** Processes still running when the command exited by itself (all killed since). */
  strays: string[];
  /** Processes that could not be killed (should be empty). */
  survivors: number;
  stdout: string;
  stderr: string;
  stats: CgroupStats;
}

/** A run in progress. */
export interface SandboxedRun {
  /** The command's process; `child.stdio[3...]` are the extra pipes. */
  child: ChildProcess;
  /** Kills the whole run now; `reason` becomes its `stopReason`. Harmless once ended. */
  stop(reason: string): void;
  /** Resolves when the command and every process it started are gone. Never rejects. */
  finished: Promise<SandboxExit>;
}

/** Synchronous last-resort killers of the runs in progress (see {@link killAllRunsNow}). */
const inProgress = new Set<() => void>();

/**
 * Kills every process of every run in progress, at once and without waiting: for a grader
 * interrupted by Ctrl-C or SIGTERM, whose processes must not outlive it.
 */
export function killAllRunsNow(): number {
  for (const kill of inProgress) kill();
  return inProgress.size;
}

/** Quotes `text` for /bin/sh. */
function shQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The root-side set-up script run inside the namespaces, before privileges are dropped. */
function setupScript(
  plan: IsolationPlan,
  cgroup: RunCgroup | undefined,
  spec: SandboxSpec,
): string {
  // The step that failed is named, so a run that exits 97 by itself is not taken for this.
  const fail = (step: string): string =>
    `|| { echo ${shQuote(`${SETUP_FAILED_MARK}: ${step}`)} >&2; exit ${SETUP_FAILED}; }`;
  const lines: string[] = [];
  for (const file of cgroup?.procsFiles ?? []) {
    lines.push(`echo $$ > ${shQuote(file)} ${fail(`joining ${file}`)}`);
  }
  if (plan.network) lines.push(`${shQuote(plan.network.ip)} link set lo up ${fail("loopback")}`);
  if (plan.mount) {
    lines.push(
      `mount -t tmpfs -o size=256m,mode=1777,nosuid,nodev tmpfs /dev/shm ${fail("/dev/shm")}`,
    );
    for (const dir of spec.hiddenDirs ?? []) {
      if (!fs.existsSync(dir)) continue;
      lines.push(
        `mount -t tmpfs -o ro,size=4k,mode=755 tmpfs ${shQuote(dir)} ${fail(`hiding ${dir}`)}`,
      );
    }
    for (const [source, target] of spec.binds ?? []) {
      lines.push(
        `mount --bind ${shQuote(source)} ${shQuote(target)} ${fail(`mounting ${target}`)}`,
      );
    }
  }
  if (spec.innerCwd !== undefined) {
    lines.push(`cd ${shQuote(spec.innerCwd)} ${fail(`entering ${spec.innerCwd}`)}`);
  }
  lines.push('exec "$@"');
  return lines.join("\n");
}

/**
 * Starts `spec.command` in a sandbox shaped by `plan`. Throws only when the run's cgroup
 * cannot be created although the plan said it could.
 *
 * @example
 * const run = startSandboxed(plan, { command: process.execPath, args: ["-e", "1"], ... });
 * const exit = await run.finished; // exit.code === 0
 */
export function startSandboxed(plan: IsolationPlan, spec: SandboxSpec): SandboxedRun {
  if ((spec.binds?.length ?? 0) > 0 && !plan.mount) {
    throw new Error("bind mounts need a mount namespace, which this plan does not have");
  }
  const started = Date.now();
  const marker = randomBytes(12).toString("hex");
  const cgroup = plan.cgroups
    ? RunCgroup.create(plan.cgroups, { memoryBytes: spec.memoryBytes, tasks: spec.tasks })
    : undefined;
  const dropped = plan.setpriv !== undefined;

  let argv = [spec.command, ...spec.args];
  if (plan.setpriv) {
    argv = [...setprivArgs(plan.setpriv, spec.uid, spec.gid, plan.pdeathsig), ...argv];
  }
  // Counted per real user, RLIMIT_NPROC caps exactly this run once it has a user of its own.
  // Under a pids cgroup it is only a backstop, set higher so that the cgroup (which counts the
  // forks it refuses) is the one that refuses them.
  if (dropped && plan.prlimit) {
    const nproc = plan.cgroups?.pids ? spec.tasks + 64 : spec.tasks;
    argv = [plan.prlimit, `--nproc=${nproc}`, "--", ...argv];
  }
  argv = ["/bin/sh", "-c", setupScript(plan, cgroup, spec), "sh", ...argv];
  if (plan.unshare) argv = [plan.unshare.path, ...plan.unshare.flags, "--", ...argv];

  const [command, ...args] = argv as [string, ...string[]];
  const child = spawn(command, args, {
    cwd: spec.cwd,
    env: { ...spec.env, [RUN_MARKER_ENV]: marker },
    // Its own process group: the last fallback for finding what it started.
    detached: true,
    stdio: ["ignore", "pipe", "pipe", ...Array<"pipe">(spec.extraPipes ?? 0).fill("pipe")],
  });
  const pgid = child.pid;

  const output = { stdout: "", stderr: "" };
  for (const name of ["stdout", "stderr"] as const) {
    child[name]?.setEncoding("utf8").on("data", (text: string) => {
      if (output[name].length < MAX_OUTPUT_BYTES) output[name] += text;
    });
  }

  /** Every process of the run that can be found, by the best means available. */
  const findAll = (): number[] => {
    if (cgroup) return cgroup.pids();
    const found = new Set(pidsWithMarker(RUN_MARKER_ENV, marker));
    if (dropped) for (const pid of pidsOwnedBy(spec.uid)) found.add(pid);
    return [...found];
  };
  const killAll = async (): Promise<number> => {
    if (pgid !== undefined) {
      try {
        process.kill(-pgid, "SIGKILL");
      } catch {
        // The group is gone.
      }
    }
    if (cgroup) await cgroup.killAll();
    return killUntilGone(findAll);
  };

  const killNow = (): void => {
    if (pgid !== undefined) {
      try {
        process.kill(-pgid, "SIGKILL");
      } catch {
        // The group is gone.
      }
    }
    cgroup?.killNow();
    for (const pid of cgroup ? [] : findAll()) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone.
      }
    }
  };
  inProgress.add(killNow);

  let stopReason: string | undefined;
  let killing: Promise<number> | undefined;
  const stop = (reason: string): void => {
    if (stopReason !== undefined || killing) return;
    stopReason = reason;
    killing = killAll();
  };
  const timer = setTimeout(
    () => stop(`the run was stopped at its time limit of ${Math.round(spec.wallMs / 1000)} s`),
    spec.wallMs,
  );

  // Made now: "close" can come before the exit handling below gets to wait for it.
  const closed = new Promise((resolve) => child.once("close", resolve));
  const finished = (async (): Promise<SandboxExit> => {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
      child.once("exit", (c, s) => resolve([c, s]));
      child.once("error", () => resolve([null, null]));
    });
    clearTimeout(timer);
    let strays: string[] = [];
    if (!killing) {
      strays = findAll()
        .map((pid) => describeProcess(pid))
        .filter((d): d is string => d !== undefined && !(spec.isHelper?.(d) ?? false));
    }
    const survivors = await (killing ?? killAll());
    // The rest of the output: whatever held the pipes open is dead now.
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (grace = setTimeout(resolve, 2_000)))]);
    clearTimeout(grace);
    inProgress.delete(killNow);
    const stats = cgroup?.stats() ?? { oomKills: 0, taskLimitHits: 0 };
    await cgroup?.remove();
    if (dropped) removeFilesOf(spec.uid, plan.mount);
    const exit: SandboxExit = {
      code,
      signal,
      wallMs: Date.now() - started,
      strays,
      survivors,
      ...output,
      stats,
    };
    if (stopReason !== undefined) exit.stopReason = stopReason;
    const mark = output.stderr.split("\n").find((line) => line.startsWith(SETUP_FAILED_MARK));
    if (code === SETUP_FAILED && stopReason === undefined && mark !== undefined) {
      exit.setupError = `${mark.replace(SETUP_FAILED_MARK, "the sandbox could not be set up")}\n${output.stderr.trim()}`;
    }
    return exit;
  })();
  return { child, stop, finished };
}

/**
 * Removes what the run's user left in the shared temporary directories, so the next run with
 * the same user id starts clean (a private /dev/shm vanished with the mount namespace).
 */
function removeFilesOf(uid: number, privateShm: boolean): void {
  const dirs = ["/tmp", "/var/tmp", ...(privateShm ? [] : ["/dev/shm"])];
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry);
      try {
        if (fs.lstatSync(full).uid === uid) fs.rmSync(full, { recursive: true, force: true });
      } catch {
        // Removed meanwhile.
      }
    }
  }
}
