/**
 * Framed messages over any Node byte stream (a pipe, a FIFO, a socket): the reading and the
 * writing half of the pipe transport, reused by every stream-based transport.
 */
import type { Readable, Writable } from "node:stream";
import { ChannelError, type Receiver, type Sender, type WaitOptions } from "../channel";
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  FRAME_HEADER_BYTES,
  FrameDecoder,
  type Codec,
  writeFrameHeader,
} from "../codec";
import { Inbox } from "../internal/inbox";
import { waitWith } from "../internal/wait";
import { track } from "../resources";

/** Options shared by {@link framedReader} and {@link framedWriter}. */
export interface FramingOptions {
  /** Largest payload accepted or sent; bigger fails with `MessageTooLarge`. Default 16 MiB. */
  maxMessageBytes?: number;
  /** Name used in error messages and leak reports. */
  label?: string;
}

/** Options for {@link framedWriter}. */
export interface FramedWriterOptions extends FramingOptions {
  /**
   * Gather frames sent in the same tick into one write() (default true). Each write is a system
   * call; for small messages that call, not the copy, is the cost, so batching multiplies
   * throughput. Set false to see one write per message.
   */
  coalesce?: boolean;
}

/** Batches flush at this size even within one tick, so memory stays bounded. */
const COALESCE_LIMIT_BYTES = 64 * 1024;

/**
 * The receiving end of a framed stream. Messages are decoded in arrival order. End-of-stream
 * on a frame boundary ends the receiver (`recv()` then rejects with `ChannelClosed`, iteration
 * ends); a stream that ends mid-frame or announces an oversize frame fails pending and later
 * receives with `CorruptFrame`/`MessageTooLarge`. The stream is paused while nobody reads
 * and the receiver holds messages, so a slow reader pushes back on the writer.
 * `close()` destroys the stream (idempotent).
 */
export function framedReader<T>(
  stream: Readable,
  codec: Codec<T>,
  options: FramingOptions = {},
): Receiver<T> {
  const label = options.label ?? "framed reader";
  const decoder = new FrameDecoder(options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
  const inbox: Inbox<T> = new Inbox<T>(label, () => resumeIfRoom());
  // Stop reading from the OS while this much waits unread: the kernel buffer then fills and
  // the writer blocks, which is the backpressure the course shows.
  // Each held message is weighed as its payload plus a fixed overhead, so a flood of tiny
  // messages is bounded too.
  const highWaterBytes = 1024 * 1024;
  const perMessageOverhead = 64;
  const full = (): boolean => inbox.heldBytes >= highWaterBytes;

  const untrack = track({ label, close: () => receiver.close() });
  const fail = (err: unknown): void => {
    inbox.end(
      err instanceof ChannelError
        ? err
        : new ChannelError("PeerFailed", `${label}: stream error: ${String(err)}`, { cause: err }),
    );
    stream.destroy();
    untrack();
  };
  stream.on("data", (chunk: Buffer) => {
    let payloads: Uint8Array[];
    try {
      payloads = decoder.push(chunk);
      for (const p of payloads) inbox.push(codec.decode(p), p.byteLength + perMessageOverhead);
    } catch (err) {
      fail(err);
      return;
    }
    if (full()) stream.pause();
  });
  stream.once("end", () => {
    try {
      decoder.end();
      inbox.end();
    } catch (err) {
      fail(err);
    }
    untrack();
  });
  stream.once("error", fail);
  stream.once("close", () => {
    inbox.end();
    untrack();
  });

  function resumeIfRoom(): void {
    if (stream.isPaused() && inbox.heldBytes < highWaterBytes / 2) stream.resume();
  }
  const receiver: Receiver<T> = {
    recv: (opts?: WaitOptions) => inbox.recv(opts),
    async close() {
      inbox.close();
      stream.destroy();
      untrack();
    },
    get closed() {
      return inbox.drained;
    },
    [Symbol.asyncIterator]() {
      return inbox.iterate();
    },
  };
  return receiver;
}

/**
 * The sending end of a framed stream. `send()` resolves once the frame is in this process's
 * write queue, and waits (backpressure) while the stream reports it is full, until the reader
 * drains it. With `coalesce`, frames sent in one tick leave in one write(). Order is preserved.
 * `close()` flushes, ends the stream (the reader sees EOF after the last frame) and is
 * idempotent; sends still waiting for room reject with `ChannelClosed`. A write error (the
 * reader went away: EPIPE) closes the writer and fails later sends with `PeerFailed`.
 */
export function framedWriter<T>(
  stream: Writable,
  codec: Codec<T>,
  options: FramedWriterOptions = {},
): Sender<T> {
  const label = options.label ?? "framed writer";
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const coalesce = options.coalesce ?? true;
  let closed = false;
  let failure: ChannelError | undefined;
  // Small frames are encoded straight into one arena buffer, which leaves in a single write().
  let arena: Buffer | undefined;
  let arenaUsed = 0;
  let flushScheduled = false;
  const drainWaiters = new Set<{ resolve: () => void; reject: (e: unknown) => void }>();

  const untrack = track({ label, close: () => sender.close() });
  stream.on("error", (err) => {
    failure ??= new ChannelError("PeerFailed", `${label}: write failed: ${err.message}`, {
      cause: err,
    });
    closed = true;
    for (const w of drainWaiters) w.reject(failure);
    drainWaiters.clear();
    untrack();
  });
  stream.on("drain", () => {
    for (const w of drainWaiters) w.resolve();
    drainWaiters.clear();
  });

  const flush = (): void => {
    flushScheduled = false;
    if (!arena || arenaUsed === 0 || failure) return;
    stream.write(arena.subarray(0, arenaUsed));
    arena = undefined;
    arenaUsed = 0;
  };

  const waitForRoom = (opts?: WaitOptions): Promise<void> =>
    waitWith<void>(`send on ${label}`, opts, (resolve, reject) => {
      const w = { resolve, reject };
      drainWaiters.add(w);
      return () => drainWaiters.delete(w);
    });

  const encodePayload = (message: T): Uint8Array => {
    const payload = codec.encode(message);
    if (payload.byteLength > maxBytes) {
      throw new ChannelError(
        "MessageTooLarge",
        `${label}: message of ${payload.byteLength} bytes exceeds the limit of ${maxBytes} bytes`,
      );
    }
    return payload;
  };

  /** Copies header and payload into `out` at `at`: the caller may reuse its buffer at once. */
  const writeFrame = (out: Uint8Array, at: number, payload: Uint8Array): void => {
    writeFrameHeader(out, at, payload.byteLength);
    out.set(payload, at + FRAME_HEADER_BYTES);
  };

  const sender: Sender<T> = {
    async send(message: T, opts?: WaitOptions) {
      if (failure) throw failure;
      if (closed) throw new ChannelError("ChannelClosed", `${label} was closed`);
      const payload = encodePayload(message);
      // Wait while the OS pipe is full and Node's own buffer is past its high-water mark.
      while (stream.writableNeedDrain) {
        await waitForRoom(opts);
        if (failure) throw failure;
        if (closed) throw new ChannelError("ChannelClosed", `${label} was closed`);
      }
      const frameBytes = FRAME_HEADER_BYTES + payload.byteLength;
      if (!coalesce || frameBytes > COALESCE_LIMIT_BYTES / 2) {
        // Large frames gain nothing from batching; keep order by flushing the batch first.
        flush();
        const frame = Buffer.allocUnsafe(frameBytes);
        writeFrame(frame, 0, payload);
        stream.write(frame);
        return;
      }
      if (arena && arenaUsed + frameBytes > arena.byteLength) flush();
      arena ??= Buffer.allocUnsafe(COALESCE_LIMIT_BYTES);
      writeFrame(arena, arenaUsed, payload);
      arenaUsed += frameBytes;
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      flush();
      const closedErr = new ChannelError("ChannelClosed", `${label} was closed`);
      for (const w of drainWaiters) w.reject(closedErr);
      drainWaiters.clear();
      untrack();
      if (failure || stream.destroyed) return;
      await new Promise<void>((resolve) => {
        stream.once("error", () => resolve());
        stream.end(() => resolve());
      });
    },
    get closed() {
      return closed;
    },
  };
  return sender;
}
