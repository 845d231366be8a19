/**
 * Codecs (values <-> bytes) and length-prefixed framing (messages <-> a byte stream).
 *
 * Wire format of one frame: a 4-byte unsigned big-endian length N, then N payload bytes.
 * A pipe or socket is a byte stream with no message boundaries; framing puts them back.
 */
import { ChannelError } from "./channel";

/** Turns values into bytes and back. `decode(encode(v))` equals `v`. */
export interface Codec<T> {
  readonly name: string;
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

/** Payload bytes pass through unchanged (a copy is never made on encode). */
export const bytesCodec: Codec<Uint8Array> = {
  name: "bytes",
  encode(value) {
    if (!ArrayBuffer.isView(value)) {
      throw new ChannelError(
        "InvalidArgument",
        `bytes codec expects a Uint8Array, got ${typeof value}`,
      );
    }
    return value;
  },
  decode: (bytes) => bytes,
};

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: true });

/** Strings as UTF-8. Decoding invalid UTF-8 fails with `CorruptFrame`. */
export const utf8Codec: Codec<string> = {
  name: "utf8",
  encode(value) {
    if (typeof value !== "string") {
      throw new ChannelError("InvalidArgument", `utf8 codec expects a string, got ${typeof value}`);
    }
    return textEncoder.encode(value);
  },
  decode(bytes) {
    try {
      return textDecoder.decode(bytes);
    } catch (cause) {
      throw new ChannelError("CorruptFrame", "payload is not valid UTF-8", { cause });
    }
  },
};

/**
 * Any JSON value, as UTF-8 JSON text. `undefined` and functions cannot be sent (they have no
 * JSON form) and fail with `InvalidArgument`; invalid JSON on decode fails with `CorruptFrame`.
 *
 * @example
 * type Msg = { type: "ping"; seq: number } | { type: "pong"; seq: number };
 * const codec = jsonCodec<Msg>();
 */
export function jsonCodec<T>(): Codec<T> {
  return {
    name: "json",
    encode(value) {
      const text = JSON.stringify(value);
      if (text === undefined) {
        throw new ChannelError("InvalidArgument", `json codec cannot encode ${typeof value}`);
      }
      return textEncoder.encode(text);
    },
    decode(bytes) {
      const text = utf8Codec.decode(bytes);
      try {
        return JSON.parse(text) as T;
      } catch (cause) {
        throw new ChannelError("CorruptFrame", `payload is not valid JSON: ${text.slice(0, 40)}`, {
          cause,
        });
      }
    },
  };
}

/** Bytes in the length prefix of every frame. */
export const FRAME_HEADER_BYTES = 4;
/** Default largest payload a frame may carry: 16 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Largest payload the 4-byte header can describe. */
const MAX_REPRESENTABLE = 0xffff_ffff;

function checkMax(maxMessageBytes: number): void {
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

/** Writes the 4-byte big-endian length header for a payload of `length` bytes into `out`. */
export function writeFrameHeader(out: Uint8Array, offset: number, length: number): void {
  out[offset] = length >>> 24;
  out[offset + 1] = (length >>> 16) & 0xff;
  out[offset + 2] = (length >>> 8) & 0xff;
  out[offset + 3] = length & 0xff;
}

/**
 * One frame: header plus a copy of `payload`. Fails with `MessageTooLarge` when the payload is
 * longer than `maxMessageBytes`.
 *
 * @example
 * encodeFrame(new TextEncoder().encode("hi")) // Uint8Array [0, 0, 0, 2, 104, 105]
 */
export function encodeFrame(
  payload: Uint8Array,
  maxMessageBytes: number = DEFAULT_MAX_MESSAGE_BYTES,
): Uint8Array {
  checkMax(maxMessageBytes);
  if (payload.byteLength > maxMessageBytes) {
    throw new ChannelError(
      "MessageTooLarge",
      `message of ${payload.byteLength} bytes exceeds the limit of ${maxMessageBytes} bytes`,
    );
  }
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.byteLength);
  writeFrameHeader(frame, 0, payload.byteLength);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * Reassembles frames from chunks of a byte stream, however the stream split them: a frame
 * split across chunks, several frames in one chunk, zero-length frames. Synchronous; keeps
 * only the bytes of the one incomplete frame between calls.
 *
 * - `push(chunk)` returns the payloads completed by this chunk, in order. A header announcing
 *   more than `maxMessageBytes` fails with `MessageTooLarge` before any of that payload is
 *   buffered (a corrupt length cannot make the decoder allocate gigabytes); the decoder is then
 *   unusable, because the stream has lost its boundaries.
 * - `end()` checks the stream stopped on a frame boundary, else fails with `CorruptFrame`.
 *
 * @example
 * const dec = new FrameDecoder();
 * dec.push(Uint8Array.of(0, 0, 0, 2, 104)); // []
 * dec.push(Uint8Array.of(105));             // [Uint8Array [104, 105]]
 */
export class FrameDecoder {
  private readonly header = new Uint8Array(FRAME_HEADER_BYTES);
  private headerFill = 0;
  private payload: Uint8Array | undefined;
  private payloadFill = 0;
  private failed: ChannelError | undefined;

  constructor(readonly maxMessageBytes: number = DEFAULT_MAX_MESSAGE_BYTES) {
    checkMax(maxMessageBytes);
  }

  /** Bytes held for a frame not yet complete. */
  get pendingBytes(): number {
    return this.headerFill + this.payloadFill;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed) throw this.failed;
    if (!ArrayBuffer.isView(chunk)) {
      throw new ChannelError("InvalidArgument", `FrameDecoder.push expects a Uint8Array chunk`);
    }
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < chunk.byteLength) {
      if (this.payload === undefined) {
        // Fast path: a whole header and payload inside this chunk is returned as a view, no copy.
        if (this.headerFill === 0 && chunk.byteLength - i >= FRAME_HEADER_BYTES) {
          const length = this.readLength(chunk, i);
          if (chunk.byteLength - i - FRAME_HEADER_BYTES >= length) {
            const start = i + FRAME_HEADER_BYTES;
            // A plain Uint8Array view: cheaper to make than Buffer#subarray (no species lookup).
            out.push(new Uint8Array(chunk.buffer, chunk.byteOffset + start, length));
            i = start + length;
            continue;
          }
        }
        const take = Math.min(FRAME_HEADER_BYTES - this.headerFill, chunk.byteLength - i);
        this.header.set(chunk.subarray(i, i + take), this.headerFill);
        this.headerFill += take;
        i += take;
        if (this.headerFill < FRAME_HEADER_BYTES) break;
        const length = this.readLength(this.header, 0);
        this.payload = new Uint8Array(length);
        this.payloadFill = 0;
      }
      const take = Math.min(this.payload.byteLength - this.payloadFill, chunk.byteLength - i);
      this.payload.set(chunk.subarray(i, i + take), this.payloadFill);
      this.payloadFill += take;
      i += take;
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
    if (this.failed) throw this.failed;
    if (this.pendingBytes > 0) {
      this.failed = new ChannelError(
        "CorruptFrame",
        `stream ended inside a frame (${this.pendingBytes} bytes of an incomplete frame)`,
      );
      throw this.failed;
    }
  }

  private readLength(bytes: Uint8Array, at: number): number {
    const length =
      ((bytes[at] as number) * 0x1000000 +
        (((bytes[at + 1] as number) << 16) |
          ((bytes[at + 2] as number) << 8) |
          (bytes[at + 3] as number))) >>>
      0;
    if (length > this.maxMessageBytes) {
      this.failed = new ChannelError(
        "MessageTooLarge",
        `incoming frame announces ${length} bytes, over the limit of ${this.maxMessageBytes} bytes`,
      );
      throw this.failed;
    }
    return length;
  }
}
