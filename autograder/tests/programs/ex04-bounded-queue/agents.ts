/**
 * The test side of the ex04 queue agents (queue-agent.ts): start agents in worker threads, send
 * them commands, and read their replies with time limits, so a learner's deadlock shows up as
 * "timed out ...: possible deadlock" naming the call, never as a stuck run. `withAgents` stops
 * every agent it started when the test body ends (a blocked one is terminated).
 *
 * Also the check, shared by the public and the hidden tests, that the queue and its lock are
 * the learner's own.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  BoundedQueue as LibBoundedQueue,
  isChannelError,
  startWorker,
  workerChannel,
  type PortChannel,
  type WorkerHandle,
} from "kernel-lib";
import type * as BoundedQueueModule from "../../../../exercises/ex04-bounded-queue/bounded-queue";
import { exerciseFile, loadExercise } from "../../../lib/exercise-path";
import type { AgentCommand, AgentData, AgentReply } from "./protocol";

export const SLUG = "ex04-bounded-queue";
const AGENT_ENTRY = path.join(__dirname, "queue-agent.ts");

/** How long a new agent may take to answer its first command (thread start, tsx, loading). */
export const AGENT_START_MS = 15_000;
/** How long a call that should return at once (or soon) may take before it counts as stuck. */
export const CALL_MS = 5_000;

/** Imports in the learner's files that would make the queue or its lock someone else's. */
const BORROWED = [
  // import { BoundedQueue } from "kernel-lib", const { BoundedQueue } = require("kernel-lib")
  /\{[^}]*\bBoundedQueue\b[^}]*\}\s*(from|=\s*require\()\s*["']kernel-lib["']/,
  // lib.BoundedQueue after import * as lib from "kernel-lib"
  /\w\s*\.\s*BoundedQueue\b/,
  // kernel-lib's internals (its SharedMutex, its queue), by package subpath or relative path
  /["'][^"'\n]*kernel-lib\/(src|native)\b[^"'\n]*["']/,
];

/** `source` without its comments, so that a comment never counts as an import. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
}

/**
 * The learner's bounded-queue module, loaded in this thread (to allocate buffers and read
 * `count()`), refused when it borrows kernel-lib's BoundedQueue or its internals.
 */
export function learnerQueue(): typeof BoundedQueueModule {
  const module = loadExercise<typeof BoundedQueueModule>(SLUG, "bounded-queue");
  if (typeof module.BoundedQueue !== "function") {
    throw new Error("bounded-queue.ts must export the class BoundedQueue");
  }
  for (const file of ["bounded-queue", "shared-lock"]) {
    const source = withoutComments(fs.readFileSync(exerciseFile(SLUG, file), "utf8"));
    const borrowed = BORROWED.find((pattern) => pattern.test(source));
    if (borrowed) {
      throw new Error(
        `${file}.ts imports kernel-lib's queue or its internals (${borrowed.exec(source)?.[0]}): ` +
          `the queue and its locking must be your own`,
      );
    }
  }
  const Queue = module.BoundedQueue as unknown;
  if (
    Queue === LibBoundedQueue ||
    Object.prototype.isPrototypeOf.call(LibBoundedQueue.prototype, module.BoundedQueue.prototype)
  ) {
    throw new Error("BoundedQueue must be your own class, not kernel-lib's");
  }
  return module;
}

/** Allocates a queue with the learner's `BoundedQueue.allocate` (given in the starter). */
export function allocateQueue(options: BoundedQueueModule.QueueOptions): SharedArrayBuffer {
  return learnerQueue().BoundedQueue.allocate(options);
}

/** Messages held by the queue in `buffer`, read with the learner's `count()` (given). */
export function countOf(buffer: SharedArrayBuffer): number {
  const { BoundedQueue } = learnerQueue();
  return new BoundedQueue(buffer).count();
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A short description of a command, for failure messages: the op and its small arguments. */
export function describeCommand(command: AgentCommand): string {
  const { op, buffer: _buffer, exitAfter: _exitAfter, ...rest } = command;
  const args = Object.entries(rest).map(([key, value]) =>
    ArrayBuffer.isView(value)
      ? `${key}: ${value.byteLength} byte${value.byteLength === 1 ? "" : "s"}`
      : Object.prototype.toString.call(value) === "[object SharedArrayBuffer]"
        ? `${key}: another queue`
        : `${key}: ${String(value)}`,
  );
  return `${op}(${args.join(", ")})`;
}

type Finished = Extract<AgentReply, { type: "done" | "failed" }>;

/** A command an agent has started: its call is running (perhaps blocked) in the agent's thread. */
export class RunningCall {
  private finished: Finished | undefined;

  constructor(
    readonly agent: QueueAgent,
    readonly command: AgentCommand,
  ) {}

  /** What the call is, for failure messages: `producer: sendSync(...)`. */
  get label(): string {
    return `${this.agent.name}: ${describeCommand(this.command)}`;
  }

  /**
   * The call's outcome, waiting up to `waitMs` for it. A call still running by then fails the
   * test as a possible deadlock, naming the call and `step`.
   */
  async outcome(step: string, waitMs = CALL_MS): Promise<Finished> {
    if (this.finished) return this.finished;
    const reply = await this.agent.nextReply(waitMs);
    if (reply === undefined) {
      throw new Error(
        `${step}: timed out after ${waitMs / 1000} s waiting for ${this.label} to return: ` +
          `possible deadlock (a lock never released, or a waiter never woken)`,
      );
    }
    if (reply.type === "started") {
      throw new Error(`${step}: ${this.label}: the agent answered "started" twice`);
    }
    this.finished = reply;
    return reply;
  }

  /** The value the call returned; fails the test, showing the error, if it threw. */
  async returns<T = unknown>(step: string, waitMs = CALL_MS): Promise<T> {
    const reply = await this.outcome(step, waitMs);
    if (reply.type === "failed") {
      throw new Error(
        `${step}: expected ${this.label} to return, but it threw ${reply.code}: ${reply.message}`,
      );
    }
    return reply.value as T;
  }

  /** The failure of a call that must throw ChannelError `code`; fails the test otherwise. */
  async throws(code: string, step: string, waitMs = CALL_MS): Promise<Finished> {
    const reply = await this.outcome(step, waitMs);
    if (reply.type !== "failed" || reply.code !== code) {
      const got =
        reply.type === "done"
          ? `it returned ${JSON.stringify(reply.value) ?? "undefined"}`
          : `it threw ${reply.code}: ${reply.message}`;
      throw new Error(`${step}: expected ${this.label} to throw ChannelError ${code}, but ${got}`);
    }
    return reply;
  }

  /**
   * Fails the test unless the call is still running (blocked) after `ms` more milliseconds:
   * it must not return, whatever it would return.
   */
  async expectBlocked(ms: number, step: string, why: string): Promise<void> {
    if (this.finished === undefined) {
      const reply = await this.agent.nextReply(ms);
      if (reply === undefined) return;
      if (reply.type !== "started") this.finished = reply;
    }
    const reply = this.finished;
    const got =
      reply === undefined
        ? "an unexpected reply"
        : reply.type === "done"
          ? `it returned ${JSON.stringify(reply.value) ?? "undefined"} after ${Math.round(reply.ms)} ms`
          : `it threw ${reply.code} after ${Math.round(reply.ms)} ms: ${reply.message}`;
    throw new Error(`${step}: expected ${this.label} to stay blocked, but ${got}: ${why}`);
  }
}

/** One agent: a worker thread making calls into the learner's queue on command. */
export class QueueAgent {
  private readonly replies: PortChannel<AgentCommand | AgentReply>;
  /** True once the thread answered a command: later ones need no start-up time. */
  private ready = false;

  constructor(
    readonly name: string,
    readonly handle: WorkerHandle,
  ) {
    this.replies = workerChannel<AgentCommand | AgentReply>(handle, { label: name });
  }

  /** Sends `command` and waits until the agent has started it (its call may then block). */
  async start(command: AgentCommand, step: string): Promise<RunningCall> {
    const call = new RunningCall(this, command);
    await this.replies.send(command);
    const waitMs = this.ready ? CALL_MS : AGENT_START_MS;
    const first = await this.nextReply(waitMs);
    if (first === undefined) {
      throw new Error(
        `${step}: timed out after ${waitMs / 1000} s waiting for ${call.label} to start: ` +
          `possible deadlock (an earlier call of ${this.name} never returned)`,
      );
    }
    this.ready = true;
    if (first.type !== "started") {
      throw new Error(`${step}: ${call.label}: the agent answered ${first.type} before starting`);
    }
    return call;
  }

  /** Starts `command` and returns what it returns (within `waitMs`). */
  async returns<T = unknown>(command: AgentCommand, step: string, waitMs = CALL_MS): Promise<T> {
    return (await this.start(command, step)).returns<T>(step, waitMs);
  }

  /** Starts `command`, which must throw ChannelError `code` (within `waitMs`). */
  async throws(
    command: AgentCommand,
    code: string,
    step: string,
    waitMs = CALL_MS,
  ): Promise<Finished> {
    return (await this.start(command, step)).throws(code, step, waitMs);
  }

  /** The next reply within `waitMs`, or undefined. A dead agent fails with its thread's error. */
  async nextReply(waitMs: number): Promise<AgentReply | undefined> {
    try {
      return (await this.replies.recv({ timeoutMs: waitMs })) as AgentReply;
    } catch (err) {
      if (isChannelError(err, "Timeout")) return undefined;
      // The thread's own error (with its stack) says more than "the channel ended".
      const died = this.handle.error;
      const why = died ? died.message : err instanceof Error ? err.message : String(err);
      throw new Error(`${this.name} (a worker thread of the test) died: ${why}`, { cause: err });
    }
  }

  /** Closes the channel and stops the thread: at once if idle, by terminate() if blocked. */
  async stop(): Promise<void> {
    await this.replies.close();
    await this.handle.stop(500);
  }
}

/** Starts agents on demand; see {@link withAgents}. */
export type AgentStarter = (name: string) => QueueAgent;

/**
 * Runs `body` with a function that starts agents, then stops every agent started, whatever
 * the outcome (a blocked agent is terminated), so no worker outlives the test.
 *
 * @example
 * await withAgents(async (agent) => {
 *   const producer = agent("producer");
 *   await producer.returns({ op: "trySend", buffer, message }, "step 1");
 * });
 */
export async function withAgents(body: (agent: AgentStarter) => Promise<void>): Promise<void> {
  const started: QueueAgent[] = [];
  const start: AgentStarter = (name) => {
    const data: AgentData = {
      name,
      queueFile: exerciseFile(SLUG, "bounded-queue"),
      lockFile: exerciseFile(SLUG, "shared-lock"),
    };
    const agent = new QueueAgent(name, startWorker(AGENT_ENTRY, { workerData: data }));
    started.push(agent);
    return agent;
  };
  try {
    // Loaded here first, so that a learner file that does not load (or borrows kernel-lib's
    // queue) fails the test at once with that reason.
    learnerQueue();
    await body(start);
  } finally {
    await Promise.all(started.map((a) => a.stop()));
  }
}

/** Waits until `handle`'s thread ends, up to `ms`; undefined if it is still running. */
export async function exitWithin(handle: WorkerHandle, ms: number): Promise<number | undefined> {
  return Promise.race([handle.exited, delay(ms).then(() => undefined)]);
}
