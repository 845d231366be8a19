/** The rules for POSIX message queue names (mq_overview(7)), checked before any system call. */
import { ChannelError } from "../channel";

/** NAME_MAX: the longest name after the leading "/", in bytes. */
export const MAX_QUEUE_NAME_BYTES = 255;

/**
 * Throws `InvalidArgument` unless `name` is a valid queue name: "/" followed by 1 to 255
 * bytes, none of them "/" or NUL, and not "." or "..".
 *
 * @example
 * checkQueueName("/jobs", "openMessageQueue"); // ok; "jobs" and "/a/b" throw
 */
export function checkQueueName(name: unknown, what: string): asserts name is string {
  const bad = (why: string): never => {
    throw new ChannelError("InvalidArgument", `${what}: ${why}, got ${JSON.stringify(name)}`);
  };
  if (typeof name !== "string") bad("the queue name must be a string");
  const s = name as string;
  if (!s.startsWith("/")) bad('a queue name starts with "/" (like "/jobs")');
  const rest = s.slice(1);
  if (rest.length === 0) bad('a queue name needs at least one character after "/"');
  if (rest.includes("/")) bad('a queue name has no "/" after the first');
  if (rest.includes("\0")) bad("a queue name cannot contain NUL");
  if (rest === "." || rest === "..") bad('a queue name cannot be "/." or "/.."');
  if (Buffer.byteLength(rest) > MAX_QUEUE_NAME_BYTES) {
    bad(`a queue name has at most ${MAX_QUEUE_NAME_BYTES} bytes after "/"`);
  }
}
