/**
 * The Linux limits on POSIX message queues, read from /proc, so errors and notebooks can
 * name the actual numbers of this machine.
 */
import * as fs from "node:fs";

/** Where Linux publishes the message queue limits (see mq_overview(7)). */
export const MQUEUE_PROC_DIR = "/proc/sys/fs/mqueue";

/**
 * The limits that shape what `openMessageQueue` may create. A field is `undefined` where this
 * system does not publish it (e.g. not Linux).
 */
export interface MqueueLimits {
  /** `msg_max`: largest capacity an unprivileged process may create (default 10). */
  maxCapacity: number | undefined;
  /** `msgsize_max`: largest message size an unprivileged process may create (default 8192). */
  maxMessageBytes: number | undefined;
  /** `msg_default`: the capacity of a queue created without one. */
  defaultCapacity: number | undefined;
  /** `msgsize_default`: the message size of a queue created without one. */
  defaultMessageBytes: number | undefined;
  /** `queues_max`: most queues on the whole system. */
  maxQueues: number | undefined;
  /**
   * RLIMIT_MSGQUEUE (`ulimit -q`): bytes all queues of this user may take together, counted
   * as about capacity × (maxMessageBytes + a pointer) per queue. Infinity when unlimited.
   */
  userQueueBytes: number | undefined;
}

function readNumber(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, "utf8").trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** RLIMIT_MSGQUEUE's soft limit, from /proc/self/limits (Node has no getrlimit). */
function userQueueBytes(): number | undefined {
  try {
    const line = fs
      .readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max msgqueue size"));
    const soft = line?.slice("Max msgqueue size".length).trim().split(/\s+/)[0];
    if (soft === "unlimited") return Infinity;
    return soft === undefined ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/**
 * This machine's message queue limits. Never throws. Privileged processes (CAP_SYS_RESOURCE,
 * e.g. root) may exceed `maxCapacity` and `maxMessageBytes`, up to 65536 and 16 MiB.
 *
 * @example
 * const { maxCapacity, maxMessageBytes } = mqueueLimits(); // 10 and 8192 on most systems
 */
export function mqueueLimits(): MqueueLimits {
  const proc = (name: string): number | undefined => readNumber(`${MQUEUE_PROC_DIR}/${name}`);
  return {
    maxCapacity: proc("msg_max"),
    maxMessageBytes: proc("msgsize_max"),
    defaultCapacity: proc("msg_default"),
    defaultMessageBytes: proc("msgsize_default"),
    maxQueues: proc("queues_max"),
    userQueueBytes: userQueueBytes(),
  };
}
