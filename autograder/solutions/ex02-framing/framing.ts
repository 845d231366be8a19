/**
 * Reference solution of ex02 (framing). Kept apart from `exercises/`, which learners see.
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
  /** Header bytes of the frame in progress (a header may arrive split across chunks). */
  private readonly header = new Uint8Array(HEADER_BYTES);
  private headerFill = 0;
  /** Payload of the frame in progress, allocated once its header is complete. */
  private payload: Uint8Array | undefined;
  private payloadFill = 0;
  private failure: ChannelError | undefined;

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
    if (this.failure) throw this.failure;
    const out: Uint8Array[] = [];
    let at = 0;
    while (at < chunk.byteLength) {
      if (this.payload === undefined) {
        const take = Math.min(HEADER_BYTES - this.headerFill, chunk.byteLength - at);
        this.header.set(chunk.subarray(at, at + take), this.headerFill);
        this.headerFill += take;
        at += take;
        if (this.headerFill < HEADER_BYTES) break;
        this.payload = new Uint8Array(this.announcedLength());
      }
      const take = Math.min(this.payload.byteLength - this.payloadFill, chunk.byteLength - at);
      this.payload.set(chunk.subarray(at, at + take), this.payloadFill);
      this.payloadFill += take;
      at += take;
      // A zero-length frame completes right here, with no payload bytes at all.
      if (this.payloadFill === this.payload.byteLength) {
        out.push(this.payload);
        this.payload = undefined;
        this.payloadFill = 0;
        this.headerFill = 0;
      }
    }
    return out;
  }

  end(): void {
    if (this.failure) throw this.failure;
    const pending = this.headerFill + this.payloadFill;
    if (this.headerFill > 0) {
      this.failure = new ChannelError(
        "CorruptFrame",
        `stream ended inside a frame (${pending} bytes of an incomplete frame)`,
      );
      throw this.failure;
    }
  }

  /** Length announced by the complete header; fails the decoder when it is over the limit. */
  private announcedLength(): number {
    const view = new DataView(this.header.buffer, this.header.byteOffset, HEADER_BYTES);
    const length = view.getUint32(0, false);
    if (length > this.maxMessageBytes) {
      this.failure = new ChannelError(
        "MessageTooLarge",
        `frame announces ${length} bytes, over the limit of ${this.maxMessageBytes} bytes`,
      );
      throw this.failure;
    }
    return length;
  }
}
