/**
 * Real kernel pipes, which Node has no API for: `child_process` connects a child's stdio with a
 * Unix socketpair, not pipe(2), and a socketpair has different buffer sizes and semantics. The
 * course teaches pipes, so kernel-lib makes a pipe inode itself: a FIFO in a private directory,
 * opened at both ends and then unlinked. After the unlink nothing can open it by name; it is an
 * anonymous pipe in all but its birth (same kernel object, same 64 KiB default capacity on Linux).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ChannelError } from "../channel";

/**
 * Two file descriptors of one pipe, both in blocking mode (safe to hand to any child). Note that
 * a Node child may switch its own end to non-blocking (observed: under the tsx preload fd 1
 * starts O_NONBLOCK), so child programs should write through `parentPipes()` or a net.Socket,
 * never `fs.writeSync(1, ...)`, which then fails with EAGAIN when the pipe is full.
 */
export interface OsPipe {
  readonly readFd: number;
  readonly writeFd: number;
}

/** Runs `mkfifo` (Node has no binding for mkfifo(3)); fails with `Unsupported` where absent. */
export function mkfifo(fifoPath: string, mode = 0o600): void {
  try {
    execFileSync("mkfifo", ["-m", mode.toString(8), fifoPath], { stdio: "pipe" });
  } catch (cause) {
    const msg = (cause as { stderr?: Buffer }).stderr?.toString().trim() ?? String(cause);
    throw new ChannelError("Unsupported", `mkfifo ${fifoPath} failed: ${msg}`, { cause });
  }
}

/** A new private directory (mode 0700) under the OS temp dir for FIFOs and socket files. */
export function makePrivateDir(prefix = "ipc-course-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Creates an anonymous pipe. The caller owns both descriptors and must close them (or hand them
 * to a child and close its own copies). Both ends are separate open file descriptions in
 * blocking mode, so a child gets an ordinary blocking pipe end while the parent's libuv handle
 * sets only its own end non-blocking.
 */
export function createOsPipe(): OsPipe {
  const dir = makePrivateDir("ipc-pipe-");
  const fifo = path.join(dir, "pipe");
  try {
    mkfifo(fifo);
    // Order matters: an O_RDWR open of a FIFO never blocks (Linux, macOS) and counts as a writer,
    // which lets the blocking O_RDONLY open return at once; then O_WRONLY finds a reader. The
    // O_RDWR placeholder is closed so the read end sees EOF once the real writer closes.
    const placeholder = fs.openSync(fifo, fs.constants.O_RDWR);
    const readFd = fs.openSync(fifo, fs.constants.O_RDONLY);
    const writeFd = fs.openSync(fifo, fs.constants.O_WRONLY);
    fs.closeSync(placeholder);
    return { readFd, writeFd };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
