/**
 * Control groups for sandboxed runs: a memory limit, a cap on tasks, an exact list of every
 * process a run started (a process cannot leave its cgroup without privileges, whatever
 * `setsid` or double-forking it does), and a way to kill them all at once.
 *
 * Works on cgroup v2 (`cgroup.kill`, `memory.max`, `pids.max`), on v1 (`memory`, `pids` and
 * `freezer` hierarchies) and on the hybrid layout that mixes them (Debian 12 in a VM: v1
 * controllers plus an empty v2 hierarchy that still offers `cgroup.kill`). Groups are created
 * under the grader's own cgroup in each hierarchy, so any limit the machine already puts on the
 * grader still applies to what it starts.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** A hierarchy where this process may create groups. */
interface Hierarchy {
  version: 1 | 2;
  /** `ipc-grade-<pid>` below this process's own cgroup; runs get subgroups of it. */
  base: string;
  /** Controllers whose files exist in the subgroups (v2: those enabled for them). */
  controllers: Set<string>;
}

/** What the machine's cgroups offer this process. */
export interface CgroupSupport {
  hierarchies: Hierarchy[];
  /** Where the memory limit is set, if anywhere. */
  memory: Hierarchy | undefined;
  /** Where the task cap is set, if anywhere. */
  pids: Hierarchy | undefined;
  /** How a run's processes are killed together. */
  kill: "cgroup.kill" | "freezer" | "signal-each";
  /** Where a run's processes are listed. */
  procs: Hierarchy;
}

/** Counters read after a run. */
export interface CgroupStats {
  /** Processes the kernel's OOM killer killed for the memory limit. */
  oomKills: number;
  /** Forks refused because the task cap was reached. */
  taskLimitHits: number;
  /** Highest memory use seen, in bytes, when the kernel reports it. */
  memoryPeakBytes?: number;
}

/** Prefix of the groups this grader creates; `<prefix><pid>` names a grader process. */
const BASE_PREFIX = "ipc-grade-";

interface Mount {
  version: 1 | 2;
  mountPoint: string;
  /** Path within the hierarchy that is mounted at mountPoint. */
  root: string;
  /** v1: the controllers of this hierarchy. */
  controllers: string[];
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function cgroupMounts(): Mount[] {
  const mounts: Mount[] = [];
  for (const line of (readText("/proc/self/mountinfo") ?? "").split("\n")) {
    const [before, after] = line.split(" - ");
    if (!before || !after) continue;
    const fields = before.split(" ");
    const [fsType, , superOptions = ""] = after.split(" ");
    const root = fields[3];
    const mountPoint = fields[4];
    if (root === undefined || mountPoint === undefined) continue;
    if (fsType === "cgroup2") mounts.push({ version: 2, mountPoint, root, controllers: [] });
    else if (fsType === "cgroup") {
      const controllers = superOptions.split(",").filter((o) => /^(memory|pids|freezer)$/.test(o));
      if (controllers.length > 0) mounts.push({ version: 1, mountPoint, root, controllers });
    }
  }
  return mounts;
}

/** This process's path in the v2 hierarchy ("0::/x") and in each v1 controller's. */
function ownPaths(): { v2?: string; v1: Map<string, string> } {
  const v1 = new Map<string, string>();
  let v2: string | undefined;
  for (const line of (readText("/proc/self/cgroup") ?? "").split("\n")) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    const [, id, names = "", where = ""] = match;
    if (id === "0" && names === "") v2 = where;
    else for (const name of names.split(",")) v1.set(name, where);
  }
  return v2 === undefined ? { v1 } : { v2, v1 };
}

/** The directory of cgroup `ownPath` under `mount`, if the mount shows it. */
function dirIn(mount: Mount, ownPath: string): string | undefined {
  const root = mount.root === "/" ? "" : mount.root;
  if (root && ownPath !== root && !ownPath.startsWith(`${root}/`)) return undefined;
  return path.join(mount.mountPoint, ownPath.slice(root.length));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Pids listed in a group's `cgroup.procs` (empty when it is gone). */
function listProcs(dir: string): number[] {
  return (readText(path.join(dir, "cgroup.procs")) ?? "").split("\n").filter(Boolean).map(Number);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Removes a group once the kernel has let go of it (dying processes keep it busy briefly). */
async function removeGroup(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      await sleep(20);
    }
  }
}

/**
 * Groups left by a grader that died without cleaning up (killed with SIGKILL): their processes
 * are killed and the groups removed, so a crashed batch leaves nothing running.
 */
function sweepStaleBases(parent: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(parent);
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = Number(entry.slice(BASE_PREFIX.length));
    if (!entry.startsWith(BASE_PREFIX) || !(pid > 0) || isAlive(pid)) continue;
    const base = path.join(parent, entry);
    for (const run of fs.readdirSync(base).filter((e) => e.startsWith("run-"))) {
      const dir = path.join(base, run);
      for (const pid of listProcs(dir)) killQuietly(pid);
      try {
        fs.rmdirSync(dir);
      } catch {
        // Still dying; the next sweep gets it.
      }
    }
    try {
      fs.rmdirSync(base);
    } catch {
      // Same.
    }
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Makes `ipc-grade-<pid>` under `own`, or undefined when this process may not. */
function makeBase(own: string): string | undefined {
  sweepStaleBases(own);
  const base = path.join(own, `${BASE_PREFIX}${process.pid}`);
  try {
    fs.mkdirSync(base);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") return undefined;
  }
  return base;
}

/** The v2 controllers a base's subgroups get, enabling memory and pids where allowed. */
function enableV2Controllers(own: string, base: string): Set<string> {
  const wanted = ["memory", "pids"];
  const available = (): string[] =>
    (readText(path.join(base, "cgroup.controllers")) ?? "").split(/\s+/);
  for (const name of wanted) {
    if (available().includes(name)) continue;
    try {
      // Fails (EBUSY) when our own group holds processes, as it does unless it is the root.
      fs.writeFileSync(path.join(own, "cgroup.subtree_control"), `+${name}`);
    } catch {
      // Not delegated to us.
    }
  }
  const enabled = new Set<string>();
  for (const name of wanted.filter((n) => available().includes(n))) {
    try {
      fs.writeFileSync(path.join(base, "cgroup.subtree_control"), `+${name}`);
      enabled.add(name);
    } catch {
      // Left out.
    }
  }
  return enabled;
}

let removeOnExit: string[] = [];

/**
 * Finds where this process can create cgroups, creating its base groups. Undefined (with the
 * reason) when no hierarchy is writable: not root, no cgroup filesystem, or macOS.
 */
export function probeCgroups(): CgroupSupport | { unavailable: string } {
  const mounts = cgroupMounts();
  if (mounts.length === 0) return { unavailable: "no cgroup filesystem is mounted" };
  const own = ownPaths();
  const hierarchies: Hierarchy[] = [];
  const used = new Set<string>();
  for (const mount of mounts) {
    const ownPath = mount.version === 2 ? own.v2 : own.v1.get(mount.controllers[0] ?? "");
    if (ownPath === undefined) continue;
    const dir = dirIn(mount, ownPath);
    if (dir === undefined || used.has(dir)) continue;
    const base = makeBase(dir);
    if (base === undefined) continue;
    used.add(dir);
    const controllers =
      mount.version === 2 ? enableV2Controllers(dir, base) : new Set(mount.controllers);
    hierarchies.push({ version: mount.version, base, controllers });
  }
  if (hierarchies.length === 0) return { unavailable: "no cgroup hierarchy is writable" };
  removeOnExit = hierarchies.map((h) => h.base);
  process.once("exit", () => {
    for (const base of removeOnExit) {
      try {
        // Runs killed on the way out (Ctrl-C) leave groups that empty within milliseconds.
        for (const run of fs.readdirSync(base).filter((e) => e.startsWith("run-"))) {
          try {
            fs.rmdirSync(path.join(base, run));
          } catch {
            // Still emptying; the next grader sweeps it.
          }
        }
        fs.rmdirSync(base);
      } catch {
        // Runs still inside; the next grader sweeps them.
      }
    }
  });
  const withController = (name: string): Hierarchy | undefined =>
    hierarchies.find((h) => h.version === 2 && h.controllers.has(name)) ??
    hierarchies.find((h) => h.version === 1 && h.controllers.has(name));
  const v2 = hierarchies.find((h) => h.version === 2);
  const freezer = withController("freezer");
  const memory = withController("memory");
  const pids = withController("pids");
  const kill = v2 ? "cgroup.kill" : freezer ? "freezer" : "signal-each";
  const procs = v2 ?? pids ?? memory ?? freezer ?? (hierarchies[0] as Hierarchy);
  return { hierarchies, memory, pids, kill, procs };
}

/** One line on what the cgroups give a run, for the isolation report. */
export function describeCgroups(support: CgroupSupport): string {
  const version = (h: Hierarchy | undefined): string => (h ? ` (cgroup v${h.version})` : "");
  const parts = [
    support.memory ? `memory limit${version(support.memory)}` : "no cgroup memory limit",
    support.pids ? `task cap${version(support.pids)}` : "no cgroup task cap",
    support.kill === "cgroup.kill"
      ? "every process tracked and killed at once (cgroup.kill)"
      : support.kill === "freezer"
        ? "every process tracked, frozen and killed (v1 freezer)"
        : "every process tracked and killed one by one",
  ];
  return parts.join(", ");
}

let runCounter = 0;

/** The groups of one sandboxed run, in every hierarchy used. */
export class RunCgroup {
  private constructor(
    private readonly support: CgroupSupport,
    private readonly dirs: Map<Hierarchy, string>,
  ) {}

  /**
   * Creates the run's groups with its limits. Throws when a group cannot be made (the run
   * must not start unconfined when the probe said it could be confined).
   */
  static create(support: CgroupSupport, limits: { memoryBytes: number; tasks: number }): RunCgroup {
    const name = `run-${++runCounter}`;
    const dirs = new Map<Hierarchy, string>();
    const used = new Set<Hierarchy>([support.procs]);
    if (support.memory) used.add(support.memory);
    if (support.pids) used.add(support.pids);
    if (support.kill === "freezer") {
      const freezer = support.hierarchies.find((h) => h.controllers.has("freezer"));
      if (freezer) used.add(freezer);
    }
    for (const h of used) {
      const dir = path.join(h.base, name);
      fs.mkdirSync(dir);
      dirs.set(h, dir);
    }
    const group = new RunCgroup(support, dirs);
    group.applyLimits(limits);
    return group;
  }

  private applyLimits(limits: { memoryBytes: number; tasks: number }): void {
    const { memory, pids } = this.support;
    const memoryDir = memory && this.dirs.get(memory);
    if (memory && memoryDir) {
      if (memory.version === 2) {
        fs.writeFileSync(path.join(memoryDir, "memory.max"), String(limits.memoryBytes));
        // Without swap the limit is the limit (a no-op on machines without swap).
        tryWrite(path.join(memoryDir, "memory.swap.max"), "0");
      } else {
        fs.writeFileSync(path.join(memoryDir, "memory.limit_in_bytes"), String(limits.memoryBytes));
        tryWrite(path.join(memoryDir, "memory.memsw.limit_in_bytes"), String(limits.memoryBytes));
      }
    }
    const pidsDir = pids && this.dirs.get(pids);
    if (pidsDir) fs.writeFileSync(path.join(pidsDir, "pids.max"), String(limits.tasks));
  }

  /** The `cgroup.procs` files a process writes its pid to, to join the run. */
  get procsFiles(): string[] {
    return [...this.dirs.values()].map((dir) => path.join(dir, "cgroup.procs"));
  }

  /** Every process in the run now. */
  pids(): number[] {
    const dir = this.dirs.get(this.support.procs);
    return dir ? listProcs(dir) : [];
  }

  /** Kills every process in the run and resolves when none is left (or after 5 s). */
  async killAll(): Promise<void> {
    const dir = this.dirs.get(this.support.procs) as string;
    const deadline = Date.now() + 5_000;
    if (this.support.kill === "cgroup.kill") {
      tryWrite(path.join(dir, "cgroup.kill"), "1");
    } else if (this.support.kill === "freezer") {
      const freezerDir = [...this.dirs].find(([h]) => h.controllers.has("freezer"))?.[1];
      if (freezerDir) {
        // Frozen processes cannot fork between our listing them and the signals landing.
        const state = path.join(freezerDir, "freezer.state");
        tryWrite(state, "FROZEN");
        while (readText(state)?.trim() === "FREEZING" && Date.now() < deadline) await sleep(10);
        for (const pid of listProcs(freezerDir)) killQuietly(pid);
        tryWrite(state, "THAWED");
      }
    }
    // Also the fallback for the two above: repeat until the group is empty (a fork bomb is
    // bounded by the task cap, so this converges).
    while (Date.now() < deadline) {
      const left = this.pids();
      if (left.length === 0) return;
      for (const pid of left) killQuietly(pid);
      await sleep(20);
    }
  }

  /**
   * Kills every process in the run at once, without waiting: for a grader that is exiting
   * (interrupted). {@link killAll} is the thorough version.
   */
  killNow(): void {
    const dir = this.dirs.get(this.support.procs) as string;
    if (this.support.kill === "cgroup.kill") tryWrite(path.join(dir, "cgroup.kill"), "1");
    else for (const pid of this.pids()) killQuietly(pid);
  }

  /** The run's counters: OOM kills, refused forks, memory peak. */
  stats(): CgroupStats {
    const stats: CgroupStats = { oomKills: 0, taskLimitHits: 0 };
    const { memory, pids } = this.support;
    const memoryDir = memory && this.dirs.get(memory);
    if (memory && memoryDir) {
      const events =
        memory.version === 2
          ? readText(path.join(memoryDir, "memory.events"))
          : readText(path.join(memoryDir, "memory.oom_control"));
      stats.oomKills = counter(events, "oom_kill");
      const peak = readText(
        path.join(memoryDir, memory.version === 2 ? "memory.peak" : "memory.max_usage_in_bytes"),
      );
      if (peak !== undefined && /^\d+\s*$/.test(peak)) stats.memoryPeakBytes = Number(peak);
    }
    const pidsDir = pids && this.dirs.get(pids);
    if (pidsDir) stats.taskLimitHits = counter(readText(path.join(pidsDir, "pids.events")), "max");
    return stats;
  }

  /** Removes the run's groups; call after {@link killAll}. */
  async remove(): Promise<void> {
    await Promise.all([...this.dirs.values()].map(removeGroup));
  }
}

function tryWrite(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text);
  } catch {
    // Optional knob this kernel lacks.
  }
}

/** The number after `key` in a flat-keyed cgroup file ("oom_kill 2"). */
function counter(text: string | undefined, key: string): number {
  const match = new RegExp(`^${key} (\\d+)$`, "m").exec(text ?? "");
  return match ? Number(match[1]) : 0;
}
