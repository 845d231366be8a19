/**
 * Checks on a finished release, run before it leaves the machine: nothing secret in it (by
 * path, or by content under another name), every relative import inside it, notebooks
 * without outputs.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { unresolvedImports, walkFiles } from "./imports";
import { covers } from "./manifest";
import { cellsWithOutputs } from "./notebooks";

/** What a release must not contain. */
export interface ReleaseRules {
  /** Path rules (as in manifest.ts) no file of the release may fall under. */
  forbiddenPaths: readonly string[];
  /** Absolute paths of files whose content must appear nowhere in the release. */
  secretFiles: readonly string[];
}

/** SHA-256 of a file's bytes, hex. */
export function sha256(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** Every file under `dir`, absolute paths (for collecting secret files). */
export function filesUnder(dir: string): string[] {
  return fs.existsSync(dir) ? walkFiles(dir).map((f) => path.join(dir, f)) : [];
}

/** Every problem with the release in `dir`; empty when it may be shipped. */
export function verifyRelease(dir: string, rules: ReleaseRules): string[] {
  const problems: string[] = [];
  const files = walkFiles(dir);
  // Empty files all hash alike and hold nothing to leak.
  const secretHashes = new Map(
    rules.secretFiles.filter((f) => fs.statSync(f).size > 0).map((f) => [sha256(f), f] as const),
  );
  for (const file of files) {
    const rule = rules.forbiddenPaths.find((r) => covers(r, file));
    if (rule) problems.push(`${file}: under ${rule}, which must not be released`);
    const secret = secretHashes.get(sha256(path.join(dir, file)));
    if (secret) problems.push(`${file}: same content as the secret file ${secret}`);
    if (file.endsWith(".ipynb")) {
      const cells = cellsWithOutputs(fs.readFileSync(path.join(dir, file), "utf8"));
      if (cells > 0) problems.push(`${file}: ${cells} code cells still hold outputs`);
    }
  }
  problems.push(...unresolvedImports(dir));
  return problems;
}
