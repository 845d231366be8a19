/**
 * ZeroMQ messages are multipart: a list of frames delivered all or nothing. Kernel-lib's
 * `Codec<T>` maps a value to one frame; a `PartsCodec<T>` maps it to several. Every ZeroMQ
 * function accepts either.
 */
import { ChannelError } from "../../channel";
import type { Codec } from "../../codec";

/** Values <-> a multipart message (one `Uint8Array` per frame). */
export interface PartsCodec<T> {
  readonly name: string;
  encodeParts(value: T): Uint8Array[];
  /** Fails with `CorruptFrame` when the frames do not form a `T`. */
  decodeParts(parts: Uint8Array[]): T;
}

/** What the ZeroMQ functions take: a one-frame `Codec` or a multipart `PartsCodec`. */
export type ZmqCodec<T> = Codec<T> | PartsCodec<T>;

/**
 * Raw multipart messages: the frames pass through as they are (no copy). Zero-length frames
 * are kept; a message has at least one frame.
 *
 * @example
 * const rx = await zmqPull(multipartCodec, { bind: zmqEndpoint("tcp") });
 * const [header, body] = await rx.recv();
 */
export const multipartCodec: PartsCodec<Uint8Array[]> = {
  name: "multipart",
  encodeParts(value) {
    if (!Array.isArray(value) || value.length === 0 || !value.every((p) => ArrayBuffer.isView(p))) {
      throw new ChannelError(
        "InvalidArgument",
        "multipart codec expects a non-empty array of Uint8Array frames",
      );
    }
    return value;
  },
  decodeParts: (parts) => parts,
};

function isPartsCodec<T>(codec: ZmqCodec<T>): codec is PartsCodec<T> {
  return typeof (codec as Partial<PartsCodec<T>>).encodeParts === "function";
}

/** Either kind of codec as a `PartsCodec`: a one-frame codec insists on exactly one frame. */
export function asPartsCodec<T>(codec: ZmqCodec<T>): PartsCodec<T> {
  if (isPartsCodec(codec)) return codec;
  return {
    name: codec.name,
    encodeParts: (value) => [codec.encode(value)],
    decodeParts(parts) {
      if (parts.length !== 1) {
        throw new ChannelError(
          "CorruptFrame",
          `${codec.name} codec expects one-frame messages, got ${parts.length} frames ` +
            `(use multipartCodec or a PartsCodec for multipart messages)`,
        );
      }
      return codec.decode(parts[0] as Uint8Array);
    },
  };
}

/** Total payload bytes of a message's frames. */
export function partsBytes(parts: readonly Uint8Array[]): number {
  let n = 0;
  for (const p of parts) n += p.byteLength;
  return n;
}

/** Fails with `MessageTooLarge` when the frames together exceed `maxBytes`. */
export function checkSize(label: string, parts: readonly Uint8Array[], maxBytes: number): void {
  const bytes = partsBytes(parts);
  if (bytes > maxBytes) {
    throw new ChannelError(
      "MessageTooLarge",
      `${label}: message of ${bytes} bytes exceeds the limit of ${maxBytes} bytes`,
    );
  }
}
