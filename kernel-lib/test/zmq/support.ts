/** Shared by the ZeroMQ tests: the endpoint kinds every pattern runs over, and cleanup. */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  isChannelError,
  liveResources,
  type ChannelErrorCode,
  type ZmqEndpointKind,
} from "../../src";

/** Every pattern is tested over each of these. */
export const KINDS: readonly ZmqEndpointKind[] = ["inproc", "ipc", "tcp"];

interface Closable {
  close(): Promise<void>;
  readonly endpoints?: readonly string[];
}

/**
 * Remembers every end a test opens; `closeAll()` (in afterEach) closes them, then checks that
 * nothing is left open and that every ipc socket directory is gone.
 */
export class OpenedEnds {
  private readonly ends: Closable[] = [];

  add<E extends Closable>(end: E): E {
    this.ends.push(end);
    return end;
  }

  async closeAll(): Promise<void> {
    const ends = this.ends.splice(0).reverse();
    for (const end of ends) await end.close();
    expect(liveResources()).toEqual([]);
    for (const end of ends) {
      for (const address of end.endpoints ?? []) {
        if (!address.startsWith("ipc://")) continue;
        const dir = path.dirname(address.slice("ipc://".length));
        expect({ dir, exists: fs.existsSync(dir) }).toEqual({ dir, exists: false });
      }
    }
  }
}

/** Fails with expected vs got unless `err` is a ChannelError with `code`. */
export function expectCode(err: unknown, code: ChannelErrorCode): void {
  if (!isChannelError(err, code)) {
    throw new Error(`expected a ChannelError with code ${code}, got: ${String(err)}`);
  }
}

/** Bytes of a UTF-8 string, and back, for compact multipart fixtures. */
export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);
