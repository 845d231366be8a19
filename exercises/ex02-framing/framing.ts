/**
 * Exercise ex02: framing. Write your own FrameDecoder here; see README.md in this folder.
 * Do not import kernel-lib's FrameDecoder: the grader checks that this class is yours.
 */
import { ChannelError } from "kernel-lib";

/** Bytes in the length prefix of every frame: a 4-byte unsigned big-endian payload length. */
export const HEADER_BYTES = 4;

/** Largest length the 4-byte header can describe. */
const MAX_REPRESENTABLE = 0xffff_ffff;

/**
 * Reassembles length-prefixed frames (4-byte big-endian length, then that many payload bytes)
 * from the chunks of a byte stream, however the stream split them.
 *
 * - `push(chunk)` returns the payloads this chunk completed, in stream order (possibly none,
 *   possibly several). Returned payloads stay intact whatever is pushed later.
 * - A header announcing more than `maxMessageBytes` throws `ChannelError` `MessageTooLarge` as
 *   soon as the header is complete, before any of that payload is buffered. The stream has then
 *   lost its boundaries, so every later `push()`/`end()` throws the same error.
 * - `end()` says the stream is over: it throws `ChannelError` `CorruptFrame` when the stream
 *   stopped inside a frame (a partial header or payload), and returns quietly on a boundary.
 *
 * @example
 * const dec = new FrameDecoder(1024);
 * dec.push(Uint8Array.of(0, 0, 0, 2, 104)); // []
 * dec.push(Uint8Array.of(105, 0, 0));       // [Uint8Array [104, 105]]
 * dec.end();                                // throws CorruptFrame: 2 bytes of a header remain
 */
export class FrameDecoder {
  // TODO: the state a decoder keeps between push() calls (the frame in progress).

  constructor(readonly maxMessageBytes: number) {
    if (
      !Number.isInteger(maxMessageBytes) ||
      maxMessageBytes < 0 ||
      maxMessageBytes > MAX_REPRESENTABLE
    ) {
      throw new ChannelError(
        "InvalidArgument",
        `maxMessageBytes must be an integer from 0 to ${MAX_REPRESENTABLE}, got ${maxMessageBytes}`,
      );
    }
  }

  push(chunk: Uint8Array): Uint8Array[] {
    throw new Error(`TODO: ex02 FrameDecoder.push (chunk of ${chunk.byteLength} bytes)`);
  }

  end(): void {
    throw new Error("TODO: ex02 FrameDecoder.end");
  }
}
