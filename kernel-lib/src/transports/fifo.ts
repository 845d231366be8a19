/**
 * Named pipes (FIFOs): a pipe with a name in the file system, so unrelated processes can find
 * each other. Opening follows the kernel's rule: a writer cannot open until a reader has.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { ChannelError, type Receiver, type Sender, type WaitOptions } from "../channel";
import type { Codec } from "../codec";
import { track } from "../resources";
import { makePrivateDir, mkfifo } from "./os-pipe";
import { framedReader, framedWriter, type FramedWriterOptions } from "./stream-framing";

/** A FIFO made by {@link createFifo}. */
export interface Fifo {
  /** Absolute path of the FIFO: pass it to the other process. */
  readonly path: string;
  /** Removes the FIFO and its private directory. Idempotent; open ends keep working. */
  remove(): Promise<void>;
}

/**
 * Makes a FIFO (mode 0600) in a new private temp directory (mode 0700), which is removed with
 * it. Tracked: `closeAll()` and process exit remove it if you forget.
 *
 * @example
 * const fifo = createFifo("numbers");
 * const reader = openFifoReader(fifo.path, utf8Codec);
 * spawnEntry(programPath("fifo-writer"), { args: [fifo.path] });
 */
export function createFifo(name = "fifo"): Fifo {
  if (!/^[\w.-]+$/.test(name)) {
    throw new ChannelError("InvalidArgument", `FIFO name must be a plain file name, got "${name}"`);
  }
  const dir = makePrivateDir("ipc-fifo-");
  const fifoPath = path.join(dir, name);
  try {
    mkfifo(fifoPath);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const removeSync = (): void => fs.rmSync(dir, { recursive: true, force: true });
  const untrack = track({
    label: `FIFO ${fifoPath}`,
    close: async () => removeSync(),
    closeSync: removeSync,
  });
  return {
    path: fifoPath,
    async remove() {
      removeSync();
      untrack();
    },
  };
}

function checkFifo(fifoPath: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(fifoPath);
  } catch {
    throw new ChannelError("InvalidArgument", `no FIFO at ${fifoPath}`);
  }
  if (!st.isFIFO()) throw new ChannelError("InvalidArgument", `${fifoPath} is not a FIFO`);
}

/**
 * Opens the read end of a FIFO; returns at once (non-blocking open). Messages arrive once a
 * writer opens and sends; `recv()` waits until then (use `timeoutMs`). When every writer has
 * closed, the receiver ends. See `framedReader` for the rest of the contract.
 */
export function openFifoReader<T>(
  fifoPath: string,
  codec: Codec<T>,
  options: FramedWriterOptions = {},
): Receiver<T> {
  checkFifo(fifoPath);
  // O_NONBLOCK: a blocking open would wait for a writer inside libuv's thread pool, where it
  // cannot be cancelled. With no writer yet, Linux reports neither data nor hang-up, so the
  // socket simply waits.
  const fd = fs.openSync(fifoPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const socket = new net.Socket({ fd, readable: true, writable: false });
  return framedReader(socket, codec, {
    ...options,
    label: options.label ?? `FIFO ${fifoPath} (read)`,
  });
}

/**
 * Opens the write end of a FIFO, waiting until a reader has opened it (the kernel refuses a
 * non-blocking writer without a reader: ENXIO). Rejects with `Timeout` after `timeoutMs`
 * (default 10 s) so a missing reader cannot hang the caller. See `framedWriter` for sending.
 */
export async function openFifoWriter<T>(
  fifoPath: string,
  codec: Codec<T>,
  options: FramedWriterOptions & WaitOptions = {},
): Promise<Sender<T>> {
  checkFifo(fifoPath);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    if (options.signal?.aborted) {
      throw new ChannelError("Aborted", `opening ${fifoPath} for writing was aborted`);
    }
    try {
      const fd = fs.openSync(fifoPath, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      const socket = new net.Socket({ fd, readable: false, writable: true });
      return framedWriter(socket, codec, {
        ...options,
        label: options.label ?? `FIFO ${fifoPath} (write)`,
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENXIO") throw err;
    }
    if (Date.now() >= deadline) {
      throw new ChannelError(
        "Timeout",
        `no reader opened FIFO ${fifoPath} within ${timeoutMs} ms (a writer waits for a reader)`,
      );
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}
