/**
 * ZeroMQ endpoint addresses for the three transports the course uses, and ownership of the
 * private directories that hold `ipc://` socket files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { threadId } from "node:worker_threads";
import { ChannelError } from "../../channel";
import { track } from "../../resources";
import { makePrivateDir } from "../os-pipe";

/** The transports `zmqEndpoint` makes addresses for. */
export type ZmqEndpointKind = "inproc" | "ipc" | "tcp";

/** Longest Unix socket path (sun_path is 108 bytes on Linux, including the NUL). */
const MAX_IPC_PATH = 107;

interface IpcDirectory {
  dir: string;
  untrack: () => void;
}

/** ipc directories made by `zmqEndpoint` in this thread and not yet adopted by a socket. */
const unboundIpcDirs = new Map<string, IpcDirectory>();
let counter = 0;

/**
 * A fresh address for a socket to bind. Synchronous; nothing is bound yet.
 *
 * - `"inproc"`: `inproc://<name>-<pid>-<thread>-<n>`, unique in the process. Only sockets of the
 *   same ZeroMQ context can reach it; kernel-lib sockets all use zeromq.js's global context,
 *   which is shared by every worker thread of the process, so inproc works between threads.
 * - `"ipc"`: a Unix socket file `<name>.sock` in a new private directory (mode 0700). The
 *   directory is tracked (see `liveResources()`) until a socket in this thread binds the
 *   address; that socket removes it when it closes. Bind it in the thread that made it.
 * - `"tcp"`: `tcp://127.0.0.1:0`: loopback only, port 0 lets the OS pick a free port. Read the
 *   real address back from the bound socket's `endpoint` and give that to the peer.
 *
 * Fails with `InvalidArgument` for an unknown kind, a name other than letters, digits, `.`,
 * `_` and `-`, or an ipc path too long for a Unix socket.
 *
 * @example
 * const rx = await zmqPull(utf8Codec, { bind: zmqEndpoint("ipc", "jobs") });
 * const tx = await zmqPush(utf8Codec, { connect: rx.endpoint });
 */
export function zmqEndpoint(kind: ZmqEndpointKind, name = "socket"): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) {
    throw new ChannelError(
      "InvalidArgument",
      `zmqEndpoint name must be 1-64 letters, digits, '.', '_' or '-', got ${JSON.stringify(name)}`,
    );
  }
  switch (kind) {
    case "inproc":
      return `inproc://${name}-${process.pid}-${threadId}-${++counter}`;
    case "tcp":
      return "tcp://127.0.0.1:0";
    case "ipc":
      return makeIpcAddress(name);
    default:
      throw new ChannelError(
        "InvalidArgument",
        `zmqEndpoint kind must be "inproc", "ipc" or "tcp", got ${JSON.stringify(kind)}`,
      );
  }
}

function makeIpcAddress(name: string): string {
  const dir = makePrivateDir("ipc-course-zmq-");
  const file = path.join(dir, `${name}.sock`);
  if (Buffer.byteLength(file) > MAX_IPC_PATH) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new ChannelError(
      "InvalidArgument",
      `ipc socket path ${file} is longer than ${MAX_IPC_PATH} bytes; use a shorter name or TMPDIR`,
    );
  }
  const address = `ipc://${file}`;
  const remove = (): void => {
    fs.rmSync(dir, { recursive: true, force: true });
    unboundIpcDirs.delete(address);
    untrack();
  };
  const untrack = track({
    label: `zmq ipc directory ${dir} (never bound)`,
    close: async () => remove(),
    closeSync: remove,
  });
  unboundIpcDirs.set(address, { dir, untrack });
  return address;
}

/**
 * Called by a socket that bound `address`: if `zmqEndpoint` made its directory, the socket
 * takes it over and gets back the function that removes it (run on close).
 */
export function adoptIpcDirectory(address: string): (() => void) | undefined {
  const entry = unboundIpcDirs.get(address);
  if (!entry) return undefined;
  unboundIpcDirs.delete(address);
  entry.untrack();
  return () => fs.rmSync(entry.dir, { recursive: true, force: true });
}
