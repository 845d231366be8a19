/**
 * Starting child processes and worker threads from TypeScript (or JavaScript) entry files, and
 * stopping them without leaks. Every start goes through {@link entryExecArgv}, the one place that
 * knows a `.ts` entry needs tsx preloaded.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { ChannelError } from "./channel";
import { track } from "./resources";
import { createOsPipe } from "./transports/os-pipe";

/** How a process or worker ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The Node flags an entry file needs: `--require tsx/cjs` (by absolute path, so it resolves
 * from any working directory) for `.ts` entries, nothing for `.js`.
 */
export function entryExecArgv(entry: string): string[] {
  return /\.[cm]?ts$/.test(entry) ? ["--require", require.resolve("tsx/cjs")] : [];
}

function resolveEntry(entry: string): string {
  const abs = path.resolve(entry);
  if (!fs.existsSync(abs)) {
    throw new ChannelError("InvalidArgument", `entry file not found: ${abs}`);
  }
  return abs;
}

/** Options for {@link spawnEntry}. */
export interface SpawnEntryOptions {
  /** Arguments after the entry path (`process.argv.slice(2)` in the child). */
  args?: string[];
  /** Extra environment variables (merged over this process's environment). */
  env?: Record<string, string>;
  cwd?: string;
  /** How long `stop()` waits after closing stdin before SIGTERM, then SIGKILL. Default 2000. */
  graceMs?: number;
}

/**
 * A running child process whose stdin and stdout are real kernel pipes (see `os-pipe.ts`), not
 * the socketpairs Node uses by default. `stdin` and `stdout` are the parent's ends; wrap them
 * with `framedWriter`/`framedReader` for messages. The child's stderr is forwarded to this
 * process's stderr, each line prefixed with the child's name and pid.
 */
export interface ChildHandle {
  readonly pid: number;
  readonly name: string;
  readonly child: ChildProcess;
  /** Writable end of the pipe the child reads as fd 0. */
  readonly stdin: net.Socket;
  /** Readable end of the pipe the child writes as fd 1. */
  readonly stdout: net.Socket;
  /** Resolves (never rejects) when the child has exited. */
  readonly exited: Promise<ExitInfo>;
  /**
   * Graceful shutdown: end stdin (EOF tells a well-behaved child to finish), wait `graceMs`,
   * then SIGTERM, then SIGKILL after another `graceMs`. Resolves with how it exited. Idempotent.
   */
  stop(graceMs?: number): Promise<ExitInfo>;
}

/**
 * Starts `node entry ...args` as a child process connected by two real pipes.
 * Non-blocking: resolves nothing, the handle is usable at once (writes queue until the child
 * reads). Fails with `InvalidArgument` when the entry file does not exist.
 *
 * @example
 * const child = spawnEntry(programPath("framed-echo"));
 * const ch = childChannel(child, utf8Codec);
 * await ch.send("hi"); await ch.recv(); // "hi"
 * await child.stop();
 */
export function spawnEntry(entry: string, options: SpawnEntryOptions = {}): ChildHandle {
  const abs = resolveEntry(entry);
  const toChild = createOsPipe();
  const fromChild = createOsPipe();
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...entryExecArgv(abs), abs, ...(options.args ?? [])], {
      stdio: [toChild.readFd, fromChild.writeFd, "pipe"],
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
    });
  } finally {
    // The child holds its own copies now; keeping ours would stop EOF from ever arriving.
    fs.closeSync(toChild.readFd);
    fs.closeSync(fromChild.writeFd);
  }
  const stdin = new net.Socket({ fd: toChild.writeFd, readable: false, writable: true });
  const stdout = new net.Socket({ fd: fromChild.readFd, readable: true, writable: false });
  // A child that exits early makes our writes fail with EPIPE; that surfaces through the
  // channel's send(), so the raw socket must not crash the process with an unhandled 'error'.
  stdin.on("error", () => {});
  stdout.on("error", () => {});
  const name = path.basename(abs);
  const pid = child.pid ?? -1;
  forwardStderr(child, `[${name} ${pid}] `);

  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: null, signal: null }));
  });
  const graceDefault = options.graceMs ?? 2000;
  let stopping: Promise<ExitInfo> | undefined;
  const untrack = track({
    label: `child process ${pid} (${name})`,
    close: async () => {
      await handle.stop();
    },
    closeSync: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  });
  void exited.then(() => {
    stdout.destroy();
    stdin.destroy();
    untrack();
  });

  const handle: ChildHandle = {
    pid,
    name,
    child,
    stdin,
    stdout,
    exited,
    stop(graceMs = graceDefault) {
      stopping ??= (async () => {
        stdin.end();
        const done = (ms: number) =>
          Promise.race([
            exited,
            new Promise<undefined>((r) => setTimeout(() => r(undefined), ms).unref()),
          ]);
        if ((await done(graceMs)) === undefined) {
          child.kill("SIGTERM");
          if ((await done(graceMs)) === undefined) child.kill("SIGKILL");
        }
        return exited;
      })();
      return stopping;
    },
  };
  return handle;
}

function forwardStderr(child: ChildProcess, prefix: string): void {
  let partial = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (text: string) => {
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) process.stderr.write(prefix + line + "\n");
  });
  child.stderr?.on("end", () => {
    if (partial) process.stderr.write(prefix + partial + "\n");
  });
}

/** The message a worker started by {@link startWorker} receives when asked to stop. */
export const STOP_MESSAGE = { type: "kernel-lib/stop" } as const;

/** True when `msg` is the {@link STOP_MESSAGE} (for worker entry files). */
export function isStopMessage(msg: unknown): boolean {
  return (
    typeof msg === "object" &&
    msg !== null &&
    (msg as { type?: unknown }).type === STOP_MESSAGE.type
  );
}

/** Options for {@link startWorker}. */
export interface StartWorkerOptions {
  /** Passed to the worker as `workerData` (structured clone). */
  workerData?: unknown;
  /** ArrayBuffers/MessagePorts moved, not copied, into the worker. */
  transferList?: import("node:worker_threads").TransferListItem[];
  /** How long `stop()` waits for the worker to exit by itself before terminating it. */
  graceMs?: number;
}

/** A running worker thread. */
export interface WorkerHandle {
  readonly worker: Worker;
  readonly name: string;
  /** Resolves with the exit code when the thread has ended (never rejects). */
  readonly exited: Promise<number>;
  /** The first uncaught error of the worker, if any (with the worker's stack). */
  readonly error: Error | undefined;
  /**
   * Graceful shutdown: posts {@link STOP_MESSAGE}, waits up to `graceMs` for the worker to exit
   * on its own, and only then calls `terminate()`. Workers holding ZeroMQ sockets must honour
   * the stop message: terminating them mid-operation aborts the process (zeromq.js issue 411).
   */
  stop(graceMs?: number): Promise<number>;
}

/**
 * Starts a worker thread from a `.ts` or `.js` entry file. Non-blocking. The worker should
 * listen on `parentPort` and exit when it gets {@link STOP_MESSAGE} (see `isStopMessage`).
 *
 * @example
 * const w = startWorker(programPath("echo-worker"));
 * w.worker.postMessage("hi");
 * await w.stop();
 */
export function startWorker(entry: string, options: StartWorkerOptions = {}): WorkerHandle {
  const abs = resolveEntry(entry);
  const worker = new Worker(abs, {
    execArgv: entryExecArgv(abs),
    workerData: options.workerData,
    transferList: options.transferList,
  });
  const name = path.basename(abs);
  let firstError: Error | undefined;
  worker.on("error", (err) => {
    firstError ??= err;
  });
  const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
  const untrack = track({
    label: `worker thread ${worker.threadId} (${name})`,
    close: async () => {
      await handle.stop();
    },
  });
  void exited.then(untrack);
  let stopping: Promise<number> | undefined;
  const graceDefault = options.graceMs ?? 2000;
  const handle: WorkerHandle = {
    worker,
    name,
    exited,
    get error() {
      return firstError;
    },
    stop(graceMs = graceDefault) {
      stopping ??= (async () => {
        try {
          worker.postMessage(STOP_MESSAGE);
        } catch {
          // Already gone: the exit promise settles below.
        }
        const timer = new Promise<undefined>((r) =>
          setTimeout(() => r(undefined), graceMs).unref(),
        );
        if ((await Promise.race([exited, timer])) === undefined) await worker.terminate();
        return exited;
      })();
      return stopping;
    },
  };
  return handle;
}
