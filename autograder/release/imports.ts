/**
 * A release must run on its own: every relative import of its TypeScript and JavaScript files
 * has to resolve to a file inside the release. This catches a shipped file that imports one
 * left out (say, a lib/ file that starts importing formats/).
 */
import * as fs from "node:fs";
import * as path from "node:path";

const SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/gm;

const CANDIDATE_SUFFIXES = ["", ".ts", ".js", ".json", "/index.ts", "/index.js"];

/** Every file under `dir` (relative paths with `/`), node_modules excluded. */
export function walkFiles(dir: string, prefix = ""): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") files.push(...walkFiles(dir, rel));
    } else files.push(rel);
  }
  return files;
}

/** "file: specifier" for every relative import under `dir` that resolves to no file there. */
export function unresolvedImports(dir: string): string[] {
  const problems: string[] = [];
  for (const file of walkFiles(dir).filter((f) => /\.(ts|js|mjs|cjs)$/.test(f))) {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[1] ?? "";
      const target = path.resolve(dir, path.dirname(file), specifier);
      const found = CANDIDATE_SUFFIXES.some((s) => {
        const candidate = target + s;
        return fs.existsSync(candidate) && fs.statSync(candidate).isFile();
      });
      if (!found) problems.push(`${file}: imports ${specifier}, which is not in the release`);
    }
  }
  return problems;
}
