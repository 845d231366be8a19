import * as path from "node:path";
import { closeAll, liveResources } from "../../src";

/** Absolute path of a test program in `kernel-lib/test/fixtures/`. */
export function fixturePath(name: string): string {
  return path.join(__dirname, "..", "fixtures", name);
}

/** Closes everything kernel-lib still holds, then fails the test if anything was left open. */
export async function releaseAllAndExpectNoLeaks(): Promise<void> {
  await closeAll();
  expect(liveResources()).toEqual([]);
}
