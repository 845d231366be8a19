/** measurePipeCapacity on a real pipe: a plausible, stable number, and no descriptor left open. */
import * as fs from "node:fs";
import { isChannelError } from "../src/channel";
import { measurePipeCapacity } from "../src/transports/pipe-capacity";

const openFds = (): number => fs.readdirSync("/proc/self/fd").length;
const onLinux = process.platform === "linux" ? it : it.skip;

describe("measurePipeCapacity", () => {
  onLinux("measures a power of two of at least one page (4096 bytes) on Linux", () => {
    const { bytes, writes } = measurePipeCapacity();
    expect(bytes).toBeGreaterThanOrEqual(4096);
    expect(Math.log2(bytes) % 1).toBe(0);
    // 4096-byte chunks fill a page-multiple capacity exactly; smaller chunks then all fail.
    expect(writes).toBe(bytes / 4096);
  });

  it("gives the same answer twice (a fresh pipe each time)", () => {
    expect(measurePipeCapacity().bytes).toBe(measurePipeCapacity().bytes);
  });

  onLinux("holds fewer bytes when writes do not fill whole pages (Linux counts page slots)", () => {
    const full = measurePipeCapacity().bytes;
    expect(measurePipeCapacity({ writeBytes: 4096 }).bytes).toBe(full);
    const odd = measurePipeCapacity({ writeBytes: 4100 });
    expect(odd.bytes).toBeLessThan(full);
    expect(odd.bytes).toBeGreaterThan(full / 2);
  });

  it("rejects a write size that is not a positive integer", () => {
    for (const writeBytes of [0, -1, 1.5, NaN]) {
      let err: unknown;
      try {
        measurePipeCapacity({ writeBytes });
      } catch (e) {
        err = e;
      }
      expect(isChannelError(err, "InvalidArgument")).toBe(true);
    }
  });

  onLinux("closes every descriptor it opened", () => {
    const before = openFds();
    for (let i = 0; i < 5; i++) measurePipeCapacity();
    expect(openFds()).toBe(before);
  });
});
