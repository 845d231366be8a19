/**
 * Runs `autograder/grade.ts` as a child process, as an instructor runs `npm run grade`, and
 * returns its exit status and output; plus helpers the grade self-tests share.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { entryExecArgv } from "kernel-lib";
import { REPO_ROOT } from "../lib/exercise-path";
import { pidsOwnedBy } from "../sandbox/process-sweep";
import { MAX_SANDBOX_SLOTS, sandboxUid } from "../sandbox/sandbox-uid";
import { crc32 } from "../sandbox/zip";

/** The grade script under test. */
export const GRADE = path.join(REPO_ROOT, "autograder", "grade.ts");

/** What one run of grade.ts produced. */
export interface GradeRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** The grader's pid: its sandbox users are derived from it (see `sandbox-uid.ts`). */
  pid: number;
  wallMs: number;
}

/**
 * Runs `grade.ts ...args`. If it outlives `limitMs`, its process group is killed and the run
 * resolves with what it had (exit code null).
 */
export async function runGrade(args: readonly string[], limitMs: number): Promise<GradeRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [...entryExecArgv(GRADE), GRADE, ...args], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const killer = setTimeout(() => {
    try {
      process.kill(-(child.pid ?? 0), "SIGKILL");
    } catch {
      // Already gone.
    }
  }, limitMs);
  const exitCode = await new Promise<number | null>((resolve) => child.once("close", resolve));
  clearTimeout(killer);
  return { exitCode, stdout, stderr, pid: child.pid ?? -1, wallMs: Date.now() - started };
}

/** Processes still running as any sandbox user of the grader with pid `graderPid`. */
export function leftoverProcesses(graderPid: number): number[] {
  const pids: number[] = [];
  for (let slot = 0; slot < MAX_SANDBOX_SLOTS; slot++) {
    pids.push(...pidsOwnedBy(sandboxUid(slot, graderPid)));
  }
  return pids;
}

/**
 * A zip archive of `files` (path -> content), deflated, as archive tools make them; `symlinks`
 * become Unix symbolic-link entries.
 */
export function makeZip(
  files: Record<string, string | Buffer>,
  symlinks: Record<string, string> = {},
): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const entries: [string, Buffer, boolean][] = [
    ...Object.entries(files).map(([p, d]): [string, Buffer, boolean] => [p, Buffer.from(d), false]),
    ...Object.entries(symlinks).map(([p, t]): [string, Buffer, boolean] => [
      p,
      Buffer.from(t),
      true,
    ]),
  ];
  for (const [name, data, isLink] of entries) {
    const compressed = zlib.deflateRawSync(data);
    const nameBytes = Buffer.from(name, "utf8");
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE((3 << 8) | 20, 4); // made by Unix
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x800, 8);
    header.writeUInt16LE(8, 10);
    header.writeUInt32LE(crc32(data), 16);
    header.writeUInt32LE(compressed.length, 20);
    header.writeUInt32LE(data.length, 24);
    header.writeUInt16LE(nameBytes.length, 28);
    header.writeUInt32LE(((isLink ? 0o120777 : 0o100644) << 16) >>> 0, 38);
    header.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, compressed);
    central.push(header, nameBytes);
    offset += local.length + nameBytes.length + compressed.length;
  }
  const centralBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBytes, end]);
}

/** Every file under `dir`, as relative paths with "/" and their contents. */
export function filesUnder(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const rel of fs.readdirSync(dir, { recursive: true }).map(String)) {
    const full = path.join(dir, rel);
    if (fs.statSync(full).isFile()) out[rel.split(path.sep).join("/")] = fs.readFileSync(full);
  }
  return out;
}
