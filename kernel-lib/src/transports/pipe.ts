/**
 * The pipe transport: framed channels over the real pipes of a child process started with
 * `spawnEntry` (see `process.ts`), and the child's side of the same.
 */
import * as net from "node:net";
import type { Channel, ChannelPair } from "../channel";
import type { Codec } from "../codec";
import type { ChildHandle } from "../process";
import { framedReader, framedWriter, type FramedWriterOptions } from "./stream-framing";

/**
 * The two ends of a child's pipes as separate halves: `writer` sends frames into the child's
 * stdin, `reader` receives frames from its stdout. Closing `writer` gives the child EOF after
 * the last frame; closing `reader` stops reading. Neither stops the child (`child.stop()`).
 * Ordering, blocking and close behave as in `framedReader`/`framedWriter`.
 */
export function childPipes<T>(
  child: ChildHandle,
  codec: Codec<T>,
  options: FramedWriterOptions = {},
): ChannelPair<T> {
  const label = options.label ?? `pipe to ${child.name} ${child.pid}`;
  return {
    writer: framedWriter(child.stdin, codec, { ...options, label: `${label} (write)` }),
    reader: framedReader(child.stdout, codec, { ...options, label: `${label} (read)` }),
  };
}

/**
 * A channel to a child: `send()` writes frames into the child's stdin pipe, `recv()` reads
 * frames from its stdout pipe. Ordering per direction; blocking and close as in
 * `framedReader`/`framedWriter`. `close()` ends the child's stdin (EOF) and stops reading; it
 * does not stop the child (call `child.stop()`).
 *
 * @example
 * const child = spawnEntry(programPath("framed-echo"));
 * const ch = childChannel(child, jsonCodec<{ n: number }>());
 * await ch.send({ n: 1 }); console.log(await ch.recv()); // { n: 1 }
 * await ch.close(); await child.stop();
 */
export function childChannel<T>(
  child: ChildHandle,
  codec: Codec<T>,
  options: FramedWriterOptions = {},
): Channel<T> {
  const { reader, writer } = childPipes(child, codec, options);
  return {
    send: (m, o) => writer.send(m, o),
    recv: (o) => reader.recv(o),
    async close() {
      await writer.close();
      await reader.close();
    },
    get closed() {
      return reader.closed;
    },
    [Symbol.asyncIterator]: () => reader[Symbol.asyncIterator](),
  };
}

/**
 * For a program started by `spawnEntry`: framed channels over its own stdin (reader) and
 * stdout (writer), which are the parent's pipes. Use stderr (console.error) for logging: stdout
 * carries frames.
 *
 * @example
 * // in the child's entry file
 * const { reader, writer } = parentPipes(utf8Codec);
 * for await (const line of reader) await writer.send(line.toUpperCase());
 * await writer.close();
 */
export function parentPipes<T>(codec: Codec<T>, options: FramedWriterOptions = {}): ChannelPair<T> {
  // Open our own handles on fds 0 and 1 rather than process.stdin/stdout, whose writes to pipes
  // are synchronous in Node and so would hide backpressure.
  const input = new net.Socket({ fd: 0, readable: true, writable: false });
  const output = new net.Socket({ fd: 1, readable: false, writable: true });
  return {
    reader: framedReader(input, codec, {
      ...options,
      label: options.label ?? "parent pipe (read)",
    }),
    writer: framedWriter(output, codec, {
      ...options,
      label: options.label ?? "parent pipe (write)",
    }),
  };
}
