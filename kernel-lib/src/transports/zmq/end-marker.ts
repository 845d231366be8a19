/**
 * ZeroMQ has no end-of-stream: a PULL socket cannot tell a sender that closed from one that is
 * merely quiet, because connections come and go underneath the socket. Kernel-lib's optional
 * end marker puts an explicit end into the stream instead: a two-frame message
 * `["kernel-lib/zmq/end-of-stream", ""]`. A one-frame codec never produces two frames, so the
 * marker cannot collide with its messages; with `multipartCodec` that exact message is reserved.
 */

import { ChannelError } from "../../channel";

const MARKER_TEXT = "kernel-lib/zmq/end-of-stream";
const MARKER = new TextEncoder().encode(MARKER_TEXT);

/** The frames of the end marker (fresh arrays each call: zeromq.js may hold what it sends). */
export function endMarkerParts(): Uint8Array[] {
  return [MARKER.slice(), new Uint8Array(0)];
}

/** True when `parts` is the end marker. Cheap for ordinary messages (a length check). */
export function isEndMarker(parts: readonly Uint8Array[]): boolean {
  if (parts.length !== 2) return false;
  const [first, second] = parts as [Uint8Array, Uint8Array];
  if (second.byteLength !== 0 || first.byteLength !== MARKER.byteLength) return false;
  for (let i = 0; i < MARKER.byteLength; i++) if (first[i] !== MARKER[i]) return false;
  return true;
}

/** Normalises the receiver's `endMarker` option to how many markers end the stream (0: never). */
export function markersToEnd(option: boolean | number | undefined): number {
  if (option === undefined || option === false) return 0;
  if (option === true) return 1;
  if (!Number.isInteger(option) || option < 0) {
    throw new ChannelError(
      "InvalidArgument",
      `endMarker must be a boolean or a count >= 0, got ${option}`,
    );
  }
  return option;
}
