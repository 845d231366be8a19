/**
 * Loading the native POSIX message queue addon (kernel-lib/native/posix-mq), which is
 * optional: where it was not built or the platform has no POSIX message queues, kernel-lib
 * still works and `mqueueSupport()` says why this part does not.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ChannelError } from "../channel";

/** The native addon's directory, found from this file (no package resolution involved). */
export const ADDON_DIR = path.resolve(__dirname, "../../native/posix-mq");
const ADDON_FILE = path.join(ADDON_DIR, "build", "Release", "posix_mq.node");
/** Written by native/posix-mq/build.js: whether the last build succeeded, and why not. */
const BUILD_STATUS_FILE = path.join(ADDON_DIR, "build", "status.json");
const REBUILD_HINT =
  "rebuild with `npm run build -w @ipc-course/posix-mq-addon` (needs a C compiler, make and Python 3)";

/** An open queue descriptor inside the addon; only the addon's functions use it. */
export interface NativeQueueHandle {
  readonly __nativeQueueHandle: never;
}

/** The addon's functions (see native/posix-mq/src/posix_mq.c for their contracts). */
export interface NativeMqBinding {
  open(
    name: string,
    flags: number,
    mode: number,
    maxmsg: number,
    msgsize: number,
  ): NativeQueueHandle;
  unlink(name: string): void;
  /** False when the queue is full (EAGAIN). */
  send(handle: NativeQueueHandle, message: Uint8Array, priority: number): boolean;
  /** Null when the queue is empty (EAGAIN). `buffer` must hold mq_msgsize bytes. */
  receive(handle: NativeQueueHandle, buffer: Uint8Array): { size: number; priority: number } | null;
  getattr(handle: NativeQueueHandle): { maxmsg: number; msgsize: number; curmsgs: number };
  /** Calls `listener` while the descriptor is ready for `events` (0 stops watching). */
  watch(
    handle: NativeQueueHandle,
    events: number,
    listener: (events: number, errorCode: string | undefined) => void,
  ): void;
  close(handle: NativeQueueHandle): void;
  fd(handle: NativeQueueHandle): number;
  prioMax(): number;
}

/** Bits of `open`'s flags, as in posix_mq.c. */
export const OPEN_READ = 1;
export const OPEN_WRITE = 2;
export const OPEN_CREATE = 4;
export const OPEN_EXCLUSIVE = 8;
/** Events of `watch`: libuv's UV_READABLE (not empty) and UV_WRITABLE (not full). */
export const READABLE = 1;
export const WRITABLE = 2;

/** Whether POSIX message queues work here, and in words why (not). */
export interface MqueueSupport {
  available: boolean;
  /** Why not (platform, build, kernel), or what was found when available. */
  reason: string;
}

let loaded: { binding: NativeMqBinding | undefined; support: MqueueSupport } | undefined;

function unavailable(reason: string): { binding: undefined; support: MqueueSupport } {
  return { binding: undefined, support: { available: false, reason } };
}

/** Why the addon file is missing: the build's own record, if it left one. */
function missingAddonReason(): string {
  try {
    const status = JSON.parse(fs.readFileSync(BUILD_STATUS_FILE, "utf8")) as { reason?: unknown };
    if (typeof status.reason === "string") {
      return `the POSIX message queue addon was not built: ${status.reason}; ${REBUILD_HINT}`;
    }
  } catch {
    // No status: the install step never ran (e.g. `npm ci --ignore-scripts`).
  }
  return `the POSIX message queue addon was not built (${path.relative(process.cwd(), ADDON_FILE)} is missing); ${REBUILD_HINT}`;
}

/**
 * Proves the kernel side works with a throwaway queue: a kernel without CONFIG_POSIX_MQUEUE
 * (ENOSYS) or a sandbox that forbids mq_open only shows up when trying.
 */
function probe(binding: NativeMqBinding): string | undefined {
  const name = `/ipc-course-probe-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  try {
    const handle = binding.open(
      name,
      OPEN_READ | OPEN_WRITE | OPEN_CREATE | OPEN_EXCLUSIVE,
      0o600,
      1,
      1,
    );
    binding.close(handle);
    binding.unlink(name);
    return undefined;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === "ENOSYS") {
      return "this Linux kernel was built without POSIX message queues (CONFIG_POSIX_MQUEUE)";
    }
    return `a test queue could not be created: ${(err as Error).message}`;
  }
}

function load(): { binding: NativeMqBinding | undefined; support: MqueueSupport } {
  if (process.platform !== "linux") {
    return unavailable(
      `POSIX message queues are supported on Linux only; this is ${process.platform}` +
        (process.platform === "darwin" ? " (macOS has no mq_open)" : ""),
    );
  }
  if (!fs.existsSync(ADDON_FILE)) return unavailable(missingAddonReason());
  let binding: NativeMqBinding;
  try {
    // process.dlopen is what require() does for a .node file, without a require() call.
    const addon = { exports: {} as NativeMqBinding };
    process.dlopen(addon, ADDON_FILE);
    binding = addon.exports;
  } catch (err) {
    return unavailable(
      `the POSIX message queue addon failed to load: ${(err as Error).message}; ${REBUILD_HINT}`,
    );
  }
  const problem = probe(binding);
  if (problem) return unavailable(problem);
  return {
    binding,
    support: { available: true, reason: `POSIX message queues work (addon ${ADDON_FILE})` },
  };
}

/**
 * Whether this machine can use POSIX message queues through kernel-lib, with the reason.
 * Never throws; the answer is computed once per thread (it loads the addon and creates and
 * removes one throwaway queue).
 *
 * @example
 * const mq = mqueueSupport();
 * if (!mq.available) console.log(`Skipping POSIX message queues: ${mq.reason}`);
 */
export function mqueueSupport(): MqueueSupport {
  loaded ??= load();
  return { ...loaded.support };
}

/** The addon, or `Unsupported` with the reason from {@link mqueueSupport}. */
export function nativeBinding(): NativeMqBinding {
  loaded ??= load();
  if (!loaded.binding) {
    throw new ChannelError("Unsupported", `POSIX message queues: ${loaded.support.reason}`);
  }
  return loaded.binding;
}
