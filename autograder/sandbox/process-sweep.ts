/**
 * Finding and killing a run's processes from /proc when no cgroup tracks them: by the run's
 * own user id, or by a marker in their environment. The fallbacks of `cgroup.ts`, weaker than
 * it: a process that clears its environment escapes the marker.
 */
import * as fs from "node:fs";
import * as path from "node:path";

function numericEntries(): number[] {
  try {
    return fs
      .readdirSync("/proc")
      .filter((e) => /^\d+$/.test(e))
      .map(Number);
  } catch {
    return []; // No /proc (macOS): nothing can be found this way.
  }
}

/** Live (not zombie) processes whose real user id is `uid`. */
export function pidsOwnedBy(uid: number): number[] {
  return numericEntries().filter((pid) => {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
      const real = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      return Number(real) === uid && !/^State:\s+Z/m.test(status);
    } catch {
      return false;
    }
  });
}

/** Live processes whose environment holds `name=value` (readable for root, or our own user). */
export function pidsWithMarker(name: string, value: string): number[] {
  const needle = Buffer.from(`\0${name}=${value}\0`);
  return numericEntries().filter((pid) => {
    if (pid === process.pid) return false;
    try {
      const environ = Buffer.concat([Buffer.from("\0"), fs.readFileSync(`/proc/${pid}/environ`)]);
      return environ.includes(needle) && !isZombie(pid);
    } catch {
      return false;
    }
  });
}

function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

/**
 * "pid 123 (prime-sieve.ts)": the script a process runs (or its command line), for reports;
 * undefined for a zombie or a process that is gone.
 */
export function describeProcess(pid: number): string | undefined {
  if (isZombie(pid)) return undefined;
  try {
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    const script = args.find((a) => /\.[cm]?[jt]s$/.test(a) && !a.includes("node_modules"));
    return `pid ${pid} (${script ? path.basename(script) : args.join(" ").slice(0, 60)})`;
  } catch {
    return undefined;
  }
}

/**
 * SIGKILLs whatever `find` returns, again and again, until it returns nothing or `timeoutMs`
 * passes (a process forking as fast as it is killed is bounded by the task cap). Resolves with
 * the number of processes still found at the end.
 */
export async function killUntilGone(find: () => number[], timeoutMs = 5_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = find();
    if (pids.length === 0 || Date.now() > deadline) return pids.length;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone already.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
