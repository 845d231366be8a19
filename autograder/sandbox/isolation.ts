/**
 * What isolation this machine allows a sandboxed run, found once by trying each mechanism, and
 * said in words for the report: which user the submission runs as, whether it has a network,
 * what limits its memory and process count, how its processes are tracked and killed.
 *
 * `IPC_SANDBOX_DISABLE=uid,network,mount,cgroup` turns mechanisms off, to see (and test) the
 * fallbacks on a machine that has them all.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describeCgroups, probeCgroups, type CgroupSupport } from "./cgroup";
import { sandboxUid } from "./sandbox-uid";

/** Environment variable listing mechanisms not to use (comma-separated). */
export const DISABLE_ENV = "IPC_SANDBOX_DISABLE";

/** The mechanisms a run can use here. */
export interface IsolationPlan {
  /** `setpriv`, when each run gets its own unprivileged user. */
  setpriv: string | undefined;
  /** `setpriv` can also make the run's main process die with the grader (`--pdeathsig`). */
  pdeathsig: boolean;
  /** `prlimit`, to cap the run user's processes (RLIMIT_NPROC) when it has its own user. */
  prlimit: string | undefined;
  /** `unshare` and its namespace flags; undefined when no namespace can be made. */
  unshare: { path: string; flags: string[] } | undefined;
  /** A new network namespace with only loopback (brought up with `ip`). */
  network: { ip: string } | undefined;
  /** A new mount namespace: private /dev/shm, reference solutions and submissions hidden. */
  mount: boolean;
  cgroups: CgroupSupport | undefined;
  /** One line per aspect: what is isolated, or what is not and why. */
  report: string[];
}

/** The full path of `name` on PATH (and the usual sbin directories), if it is there. */
export function findProgram(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/sbin", "/usr/bin", "/bin"];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/**
 * `setpriv` arguments that become user `uid`, group `gid`, with no capabilities or way back;
 * with `pdeathsig`, the process is also killed if the grader dies (util-linux 2.33 and later).
 */
export function setprivArgs(setpriv: string, uid: number, gid = uid, pdeathsig = false): string[] {
  return [
    setpriv,
    `--reuid=${uid}`,
    `--regid=${gid}`,
    "--clear-groups",
    "--no-new-privs",
    "--inh-caps=-all",
    "--bounding-set=-all",
    ...(pdeathsig ? ["--pdeathsig=KILL"] : []),
    "--",
  ];
}

function succeeds(argv: string[]): boolean {
  const [command, ...args] = argv;
  if (command === undefined) return false;
  const result = spawnSync(command, args, { stdio: "ignore", timeout: 10_000 });
  return result.status === 0;
}

let cached: IsolationPlan | undefined;

/**
 * Tries each mechanism (a few milliseconds each) and returns what works. `readable` are files
 * the run's user must be able to read (the test runner); if it cannot, privileges are not
 * dropped and the report says why. The first call's answer is reused.
 */
export function probeIsolation(readable: readonly string[]): IsolationPlan {
  if (cached) return cached;
  const disabled = new Set((process.env[DISABLE_ENV] ?? "").split(",").map((s) => s.trim()));
  const isRoot = process.getuid?.() === 0;
  const report: string[] = [];

  let setpriv = findProgram("setpriv");
  const probeUid = sandboxUid(0);
  if (disabled.has("uid")) {
    setpriv = undefined;
    report.push(`user: NOT dropped (disabled by ${DISABLE_ENV})`);
  } else if (!isRoot || !setpriv) {
    report.push(
      `user: NOT dropped: ${!isRoot ? "the grader is not root" : "setpriv is not installed"}; ` +
        "the submission runs as the grader's user and can write what it can",
    );
    setpriv = undefined;
  } else if (
    !succeeds([
      ...setprivArgs(setpriv, probeUid),
      "/bin/sh",
      "-c",
      'for f; do test -r "$f" || exit 1; done',
      "sh",
      ...readable,
    ])
  ) {
    report.push(
      `user: NOT dropped: an unprivileged user cannot read ${readable.join(", ")} ` +
        "(make the checkout world-readable, e.g. not under /root)",
    );
    setpriv = undefined;
  } else {
    report.push(
      "user: each run as a user of its own (uid 1900000000+), no capabilities, no_new_privs",
    );
  }
  const prlimit = setpriv ? findProgram("prlimit") : undefined;
  // The test process dies with a grader killed by SIGKILL, which can clean up nothing; what
  // the tests started stays in the run's cgroup for the next grader's sweep.
  const pdeathsig =
    setpriv !== undefined && succeeds([...setprivArgs(setpriv, probeUid, probeUid, true), "true"]);

  const unsharePath = findProgram("unshare");
  const ip = findProgram("ip");
  let unshare: IsolationPlan["unshare"];
  let network: IsolationPlan["network"];
  let mount = false;
  if (unsharePath) {
    // As root, plain namespaces; otherwise an unprivileged user namespace, if the kernel allows.
    const base = isRoot ? [] : ["--user", "--map-root-user"];
    const tryFlags = (flags: string[], script: string): boolean =>
      succeeds([unsharePath, ...base, ...flags, "--", "/bin/sh", "-c", script]);
    const wantNetwork = !disabled.has("network") && ip !== undefined;
    if (wantNetwork && tryFlags(["--net"], `${ip} link set lo up`)) network = { ip: ip as string };
    const shm = "mount -t tmpfs -o size=1m tmpfs /dev/shm";
    if (!disabled.has("mount") && tryFlags(["--ipc", "--mount"], shm)) mount = true;
    const flags = [...base, ...(network ? ["--net"] : []), ...(mount ? ["--ipc", "--mount"] : [])];
    if (network || mount) unshare = { path: unsharePath, flags };
  }
  report.push(
    network
      ? "network: none (a network namespace of its own, loopback only)"
      : `network: NOT isolated (${
          disabled.has("network")
            ? `disabled by ${DISABLE_ENV}`
            : !unsharePath
              ? "unshare is not installed"
              : !ip
                ? "`ip` is not installed to bring up loopback"
                : "no network namespace could be made"
        })`,
  );
  report.push(
    mount
      ? "files: private /dev/shm and IPC namespace; reference solutions, .git and the " +
          "submissions folder hidden"
      : "files: NOT hidden: the submission can read the reference solutions and other " +
          "world-readable files; /dev/shm and message queues are shared",
  );

  let cgroups: CgroupSupport | undefined;
  if (disabled.has("cgroup")) {
    report.push(`cgroups: NOT used (disabled by ${DISABLE_ENV})`);
  } else {
    const probe = probeCgroups();
    if ("unavailable" in probe) report.push(`cgroups: NOT used (${probe.unavailable})`);
    else {
      cgroups = probe;
      report.push(`cgroups: ${describeCgroups(probe)}`);
    }
  }
  if (!cgroups?.memory) {
    report.push("memory: only the test process's JavaScript heap is limited (no memory cgroup)");
  }
  if (!cgroups?.pids) {
    report.push(
      setpriv && prlimit
        ? "processes: capped by RLIMIT_NPROC of the run's own user"
        : "processes: NOT capped (no pids cgroup and no user of its own)",
    );
  }
  if (!cgroups) {
    report.push(
      setpriv
        ? "cleanup: every process of the run's user is killed after it"
        : "cleanup: processes found by process group and an environment marker are killed " +
            "(one that detaches and clears its environment escapes)",
    );
  }
  cached = { setpriv, pdeathsig, prlimit, unshare, network, mount, cgroups, report };
  return cached;
}
