/**
 * Measuring how many bytes a pipe holds before a writer has to wait: the kernel buffer that
 * makes backpressure happen.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ChannelError } from "../channel";
import { makePrivateDir, mkfifo } from "./os-pipe";

/** What {@link measurePipeCapacity} found. */
export interface PipeCapacity {
  /** Bytes the pipe accepted, unread, before a write would have blocked (EAGAIN). */
  bytes: number;
  /** write(2) calls that succeeded while filling it. */
  writes: number;
}

/** Options for {@link measurePipeCapacity}. */
export interface PipeCapacityOptions {
  /**
   * Fill the pipe with writes of exactly this many bytes (the last one may be partial), as a
   * program sending fixed-size messages would. Default: page-sized writes, then ever smaller
   * ones, which finds the most the pipe can hold, exact to the byte.
   */
  writeBytes?: number;
}

/** Largest chunk tried first; writes of at most PIPE_BUF (4096 on Linux) bytes are atomic. */
const FIRST_CHUNK_BYTES = 4096;

/** The chunk sizes to write, largest first, each until the pipe refuses it. */
function chunkSizes(writeBytes: number | undefined): number[] {
  if (writeBytes === undefined) return [FIRST_CHUNK_BYTES, 512, 64, 8, 1];
  if (!Number.isInteger(writeBytes) || writeBytes < 1 || writeBytes > 16 * 1024 * 1024) {
    throw new ChannelError(
      "InvalidArgument",
      `writeBytes must be an integer from 1 to 16 MiB, got ${writeBytes}`,
    );
  }
  return [writeBytes];
}

function isWouldBlock(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "EAGAIN" || code === "EWOULDBLOCK";
}

/**
 * Fills a fresh, unread pipe through a non-blocking write end until the kernel refuses with
 * EAGAIN, and returns how many bytes it took. Synchronous and bounded: never blocks, takes a
 * few milliseconds. By default writes chunks of 4096, then 512, 64, 8 and 1 bytes, so the
 * result is exact to the byte even when the capacity is not a multiple of 4096; with
 * `writeBytes` it writes only chunks of that size, which shows how the write pattern changes
 * what fits (Linux counts a pipe's room in page-sized slots, not bytes). Both descriptors are
 * closed before it returns, also on error.
 *
 * The pipe is built like `createOsPipe` builds one (a FIFO in a private directory, opened at
 * both ends, then unlinked), except that both ends are opened with O_NONBLOCK: Node cannot
 * switch an existing descriptor to non-blocking mode, and a blocking write would hang.
 * Fails with `Unsupported` when a write fails for another reason than EAGAIN.
 *
 * @example
 * const { bytes } = measurePipeCapacity();
 * console.log(`a pipe holds ${bytes} bytes`); // 65536 on a default Linux
 * measurePipeCapacity({ writeBytes: 4100 }).bytes; // fewer: each write starts a new page
 */
export function measurePipeCapacity(options: PipeCapacityOptions = {}): PipeCapacity {
  const chunks = chunkSizes(options.writeBytes);
  const dir = makePrivateDir("ipc-capacity-");
  const fds: number[] = [];
  try {
    const fifo = path.join(dir, "pipe");
    mkfifo(fifo);
    // The reader first: a non-blocking open for writing fails with ENXIO while no reader exists.
    fds.push(fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK));
    const writeFd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    fds.push(writeFd);
    fs.rmSync(dir, { recursive: true, force: true });

    let bytes = 0;
    let writes = 0;
    for (const chunk of chunks) {
      const buffer = Buffer.alloc(chunk, 0x61);
      for (;;) {
        try {
          // A non-blocking write to a pipe may also be partial (for chunks over PIPE_BUF): the
          // return value, not the chunk size, says what was taken.
          bytes += fs.writeSync(writeFd, buffer);
          writes++;
        } catch (err) {
          if (isWouldBlock(err)) break;
          throw new ChannelError("Unsupported", `writing into a test pipe failed: ${String(err)}`, {
            cause: err,
          });
        }
      }
    }
    return { bytes, writes };
  } finally {
    for (const fd of fds) fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
