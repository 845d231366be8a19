/**
 * Where `graded()` sends its events. Two modes:
 * - `npm run check`: appended to the file named by IPC_GRADER_EVENTS (`grader-events.ts`).
 * - `npm run grade`: written to an inherited pipe (fd IPC_GRADER_EVENTS_FD), each line carrying
 *   a per-run secret read once from another pipe (fd IPC_GRADER_NONCE_FD) and then closed.
 *   The code under test shares this process, so it could write to the pipe too; without the
 *   secret, the grader ignores what it writes.
 *
 * Whoever opens the channel first owns it: `graded.ts` does at load, before any exercise code
 * runs; a later call (from code that found this module) gets a recorder that writes nothing.
 */
import * as fs from "node:fs";
import { recordEvent, type GraderEvent } from "./grader-events";

/** Environment variable: fd of the events pipe. */
export const EVENTS_FD_ENV = "IPC_GRADER_EVENTS_FD";
/** Environment variable: fd from which the run's secret is read, then closed. */
export const NONCE_FD_ENV = "IPC_GRADER_NONCE_FD";

/** Records one event. */
export type EventRecorder = (event: GraderEvent) => void;

// Captured at load, before code under test can replace them on the shared `fs` module or in
// this realm's built-ins.
const { writeSync, readSync, closeSync } = fs;
const stringify = JSON.stringify;
const assign = Object.assign;
const createObject = Object.create;
const apply = Reflect.apply;
const bufferFrom = Buffer.from;
const toBytes = (text: string): Buffer => apply(bufferFrom, Buffer, [text, "utf8"]) as Buffer;

let taken = false;

/** Blocks the thread for `ms` (a pipe that is not ready yet; rare and short). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readAll(fd: number): string {
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(256);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buffer, 0, buffer.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EAGAIN") {
        pause(5);
        continue;
      }
      throw err;
    }
    if (n === 0) return Buffer.concat(chunks).toString("utf8").trim();
    chunks.push(Buffer.from(buffer.subarray(0, n)));
  }
}

function writeAll(fd: number, text: string): void {
  const bytes = toBytes(text);
  for (let at = 0; at < bytes.length;) {
    try {
      at += writeSync(fd, bytes, at, bytes.length - at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      pause(5);
    }
  }
}

/**
 * The recorder for this process. The first call takes the channel (reads and closes the
 * secret's pipe in `grade` mode); later calls get a recorder that drops everything.
 *
 * @example
 * const record = openGraderChannel(); // in graded.ts, at load
 * record({ type: "start", name, at: Date.now() });
 */
export function openGraderChannel(): EventRecorder {
  if (taken) return () => {};
  taken = true;
  const eventsFd = Number(process.env[EVENTS_FD_ENV]);
  const nonceFd = Number(process.env[NONCE_FD_ENV]);
  if (!(eventsFd > 2 && nonceFd > 2)) return recordEvent;
  const nonce = readAll(nonceFd);
  closeSync(nonceFd);
  return (event) => {
    // A prototype-less copy: an Object.prototype.toJSON planted by the code under test must
    // not rewrite the event on its way out. Every field is a primitive.
    const line = assign(createObject(null) as object, event, { nonce });
    writeAll(eventsFd, stringify(line) + "\n");
  };
}
