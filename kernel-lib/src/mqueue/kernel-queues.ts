/**
 * The kernel's set of named queues: removing a name, asking whether one exists, listing them.
 * A queue lives in the kernel until it is unlinked and its last descriptor is closed, so it
 * outlives the process that made it (like a file, unlike a pipe).
 */
import * as fs from "node:fs";
import { nativeBinding, OPEN_READ } from "./binding";
import { isSystemCallError, mqueueError } from "./errors";
import { checkQueueName } from "./queue-name";

/**
 * Removes the queue's name (mq_unlink): later opens no longer find it, while descriptors open
 * now keep working until closed. Returns false when no such queue existed. Throws
 * `InvalidArgument` (bad name, permission denied), `Unsupported` without POSIX queues.
 *
 * @example
 * unlinkMessageQueue("/jobs"); // true the first time, false after
 */
export function unlinkMessageQueue(name: string): boolean {
  const what = `unlinkMessageQueue(${name})`;
  checkQueueName(name, what);
  try {
    nativeBinding().unlink(name);
    return true;
  } catch (err) {
    if (isSystemCallError(err) && err.code === "ENOENT") return false;
    throw mqueueError(err, { what, name });
  }
}

/**
 * True when a queue named `name` exists (it is opened read-only and closed again; a queue this
 * user may not open still counts as existing). Throws `Unsupported` without POSIX queues.
 *
 * @example
 * messageQueueExists("/jobs"); // false after unlinkMessageQueue("/jobs")
 */
export function messageQueueExists(name: string): boolean {
  const what = `messageQueueExists(${name})`;
  checkQueueName(name, what);
  const binding = nativeBinding();
  try {
    binding.close(binding.open(name, OPEN_READ, 0, 0, 0));
    return true;
  } catch (err) {
    if (isSystemCallError(err) && err.code === "ENOENT") return false;
    if (isSystemCallError(err) && err.code === "EACCES") return true;
    throw mqueueError(err, { what, name });
  }
}

/** Where the mqueue file system is mounted (usually /dev/mqueue), if it is. */
export function mqueueMountPoint(): string | undefined {
  try {
    const line = fs
      .readFileSync("/proc/self/mounts", "utf8")
      .split("\n")
      .find((l) => l.split(" ")[2] === "mqueue");
    return line?.split(" ")[1];
  } catch {
    return undefined;
  }
}

/**
 * The names of every queue on the system ("/jobs", ...), read from the mqueue file system, or
 * `undefined` when it is not mounted (`mount -t mqueue none /dev/mqueue` mounts it; queues
 * work without it). Never throws.
 *
 * @example
 * listMessageQueues()?.filter((n) => n.startsWith("/ipc-course-"));
 */
export function listMessageQueues(): string[] | undefined {
  const dir = mqueueMountPoint();
  if (dir === undefined) return undefined;
  try {
    return fs
      .readdirSync(dir)
      .map((entry) => `/${entry}`)
      .sort();
  } catch {
    return undefined;
  }
}
