import { spawn } from "node:child_process";

/** What a finished child process left behind. */
export interface ProcessResult {
  /** Exit code, or null when the process was killed by a signal (including our timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
  /** True when the process was killed because it outlived `timeoutMs`. */
  timedOut: boolean;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  spawnError?: Error;
}

/** Options for {@link runProcess}. */
export interface RunProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the process (SIGKILL) after this many milliseconds. Default: no limit. */
  timeoutMs?: number;
  /** Pass stdout and stderr straight through to ours instead of capturing them. */
  inheritOutput?: boolean;
}

/**
 * Runs a command to completion and resolves with its exit code and captured output; never
 * rejects (a failure to start is reported in `spawnError`, a timeout in `timedOut`).
 *
 * @example
 *   const { code, stdout } = await runProcess("python3", ["--version"], { timeoutMs: 5000 });
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunProcessOptions = {},
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: options.inheritOutput ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let spawnError: Error | undefined;
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
          }, options.timeoutMs);
    child.on("error", (error) => (spawnError = error));
    child.on("close", (code) => {
      clearTimeout(timer);
      const result: ProcessResult = { code, stdout, stderr, timedOut };
      if (spawnError) result.spawnError = spawnError;
      resolve(result);
    });
  });
}
