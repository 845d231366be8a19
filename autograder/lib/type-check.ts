/**
 * Type-checking a submission before its tests run, under the project's strict `tsconfig.json`
 * (as `npm run typecheck` checks the starters), except that unused variables and parameters
 * are allowed. A worker thread does the work
 * (`type-check-worker.ts`) and keeps what all submissions share, so the second and later
 * checks take a fraction of the first; a check that runs too long (types built to explode)
 * or too big is stopped and reported, and the next check gets a fresh worker.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { entryExecArgv } from "kernel-lib";

/** A request to the worker: type-check `files` (absolute) of the submission in `rootDir`. */
export interface TypeCheckRequest {
  id: number;
  rootDir: string;
  files: string[];
}

/** The worker's answer: compiler messages, each with the file it is about ("" for global). */
export interface TypeCheckReply {
  id: number;
  diagnostics: { file: string; text: string }[];
  /** The compiler itself failed. */
  error?: string;
}

/** What a check found. */
export interface TypeCheckResult {
  diagnostics: { file: string; text: string }[];
  /** The check could not finish (time, memory, compiler failure): the message. */
  error?: string;
}

const WORKER = path.join(__dirname, "type-check-worker.ts");

/**
 * Type-checks submissions one at a time in a worker thread. Call {@link close} when done.
 *
 * @example
 * const checker = new TypeChecker();
 * const { diagnostics } = await checker.check(dir, [`${dir}/ex02-framing/framing.ts`]);
 * await checker.close();
 */
export class TypeChecker {
  private worker: Worker | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;

  constructor(
    private readonly timeoutMs = 60_000,
    private readonly heapMb = 1536,
  ) {}

  /** Type-checks `files`; never rejects (a failed check comes back as `error`). */
  check(rootDir: string, files: string[]): Promise<TypeCheckResult> {
    const result = this.queue.then(() => this.run(rootDir, files));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private run(rootDir: string, files: string[]): Promise<TypeCheckResult> {
    if (files.length === 0) return Promise.resolve({ diagnostics: [] });
    this.worker ??= new Worker(WORKER, {
      execArgv: entryExecArgv(WORKER),
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
    });
    const worker = this.worker;
    const id = this.nextId++;
    return new Promise<TypeCheckResult>((resolve) => {
      const finish = (result: TypeCheckResult, fresh: boolean): void => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        if (fresh) {
          // The worker is stuck or broken: the next check starts a new one.
          this.worker = undefined;
          void worker.terminate();
        }
        resolve(result);
      };
      const onMessage = (reply: TypeCheckReply): void => {
        if (reply.id !== id) return;
        finish(
          reply.error === undefined
            ? { diagnostics: reply.diagnostics }
            : { diagnostics: [], error: `the type-checker failed: ${reply.error}` },
          reply.error !== undefined,
        );
      };
      const onError = (err: Error): void =>
        finish({ diagnostics: [], error: `the type-checker failed: ${err.message}` }, true);
      const onExit = (): void =>
        finish({ diagnostics: [], error: "the type-checker stopped unexpectedly" }, true);
      const timer = setTimeout(
        () =>
          finish(
            {
              diagnostics: [],
              error: `type-checking did not finish within ${this.timeoutMs / 1000} s`,
            },
            true,
          ),
        this.timeoutMs,
      );
      worker.on("message", onMessage);
      worker.once("error", onError);
      worker.once("exit", onExit);
      worker.postMessage({ id, rootDir, files } satisfies TypeCheckRequest);
    });
  }

  /** Stops the worker; pending checks resolve with an error. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}
