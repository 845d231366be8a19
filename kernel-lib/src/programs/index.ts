import * as fs from "node:fs";
import * as path from "node:path";
import { ChannelError } from "../channel";

/**
 * Absolute path of one of kernel-lib's ready-made child programs (`src/programs/<name>.ts`),
 * for `spawnEntry` or `startWorker`. Fails with `InvalidArgument` naming the ones that exist.
 *
 * @example
 * spawnEntry(programPath("framed-echo"));
 */
export function programPath(name: string): string {
  const file = path.join(__dirname, `${name}.ts`);
  if (!/^[\w-]+$/.test(name) || name === "index" || !fs.existsSync(file)) {
    const known = fs
      .readdirSync(__dirname)
      .filter((f) => f.endsWith(".ts") && f !== "index.ts")
      .map((f) => f.slice(0, -3));
    throw new ChannelError(
      "InvalidArgument",
      `no program "${name}"; available: ${known.join(", ")}`,
    );
  }
  return file;
}
