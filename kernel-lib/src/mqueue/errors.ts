/**
 * Turning the addon's system errors (errno names such as "EMSGSIZE") into kernel-lib's
 * ChannelErrors, with a sentence that says what the limit or the fix is.
 */
import { ChannelError, type ChannelErrorCode } from "../channel";
import { MQUEUE_PROC_DIR, mqueueLimits } from "./limits";

/** What the addon throws for a failed system call. */
export interface SystemCallError extends Error {
  /** The errno name, e.g. "ENOENT". */
  code: string;
  errno: number;
  syscall: string;
}

export function isSystemCallError(err: unknown): err is SystemCallError {
  return (
    typeof err === "object" &&
    err !== null &&
    typeof (err as { code?: unknown }).code === "string" &&
    typeof (err as { syscall?: unknown }).syscall === "string"
  );
}

/** What was being done, for the message: the queue's name and, for creation, its sizes. */
export interface ErrorContext {
  /** e.g. "openMessageQueue(/jobs)". */
  what: string;
  name: string;
  capacity?: number;
  maxMessageBytes?: number;
}

/** Every errno the message queue calls document, and the ChannelError code it becomes. */
const CODES: Record<string, ChannelErrorCode> = {
  EAGAIN: "WouldBlock",
  EMSGSIZE: "MessageTooLarge",
  EBADF: "ChannelClosed",
  ETIMEDOUT: "Timeout",
  ENOSYS: "Unsupported",
  EINVAL: "InvalidArgument",
  ENOENT: "InvalidArgument",
  EEXIST: "InvalidArgument",
  EACCES: "InvalidArgument",
  ENAMETOOLONG: "InvalidArgument",
  EMFILE: "InvalidArgument",
  ENFILE: "InvalidArgument",
  ENOSPC: "InvalidArgument",
  ENOMEM: "InvalidArgument",
};

function explain(code: string, ctx: ErrorContext): string {
  const limits = mqueueLimits();
  switch (code) {
    case "ENOENT":
      return `no queue named ${ctx.name} exists (pass create: true to make it)`;
    case "EEXIST":
      return `a queue named ${ctx.name} exists already (exclusive: true asked for a new one)`;
    case "EACCES":
      return `permission denied: the mode of ${ctx.name} does not allow this access`;
    case "ENAMETOOLONG":
      return `the name ${ctx.name} is too long (at most 255 bytes after the "/")`;
    case "EINVAL":
      return (
        `the kernel refused capacity ${ctx.capacity ?? "(default)"} and maxMessageBytes ` +
        `${ctx.maxMessageBytes ?? "(default)"}: both must be >= 1 and, for unprivileged ` +
        `processes, at most ${MQUEUE_PROC_DIR}/msg_max = ${limits.maxCapacity ?? "?"} and ` +
        `${MQUEUE_PROC_DIR}/msgsize_max = ${limits.maxMessageBytes ?? "?"} (privileged ones: ` +
        `65536 and 16 MiB)`
      );
    case "EMFILE":
      return (
        `this user's queues would need more memory than RLIMIT_MSGQUEUE (ulimit -q) = ` +
        `${limits.userQueueBytes ?? "?"} bytes, counted as about capacity × (maxMessageBytes + 8) ` +
        `per queue, or this process has too many open descriptors`
      );
    case "ENFILE":
      return "the system has too many open files";
    case "ENOSPC":
      return `the system has ${MQUEUE_PROC_DIR}/queues_max = ${limits.maxQueues ?? "?"} queues already`;
    case "ENOMEM":
      return "the kernel is out of memory for the queue";
    case "ENOSYS":
      return "this kernel has no POSIX message queues (CONFIG_POSIX_MQUEUE)";
    case "EBADF":
      return `the descriptor of ${ctx.name} is closed`;
    case "EMSGSIZE":
      return `the message is larger than the queue's maxMessageBytes`;
    default:
      return `unexpected error`;
  }
}

/**
 * The ChannelError for `err` thrown by the addon during `ctx.what`; the system error is its
 * `cause`. Anything that is not a system error (a bug) is returned as it is.
 */
export function mqueueError(err: unknown, ctx: ErrorContext): unknown {
  if (!isSystemCallError(err)) return err;
  const code = CODES[err.code] ?? "Unsupported";
  return new ChannelError(
    code,
    `${ctx.what}: ${explain(err.code, ctx)} (${err.syscall}: ${err.code})`,
    {
      cause: err,
    },
  );
}
