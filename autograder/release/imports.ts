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

/** One relative import of a file: its specifier and the file it resolves to, if any. */
interface RelativeImport {
  specifier: string;
  /** Relative path (with `/`) under the root, when the import resolves to a file there. */
  resolved: string | undefined;
}

/** The relative imports of `file` (relative to `dir`), resolved as Node and tsx resolve them. */
function relativeImports(dir: string, file: string): RelativeImport[] {
  const text = fs.readFileSync(path.join(dir, file), "utf8");
  return [...text.matchAll(SPECIFIER)].map((match) => {
    const specifier = match[1] ?? "";
    const target = path.posix.join(path.posix.dirname(file), specifier);
    const resolved = CANDIDATE_SUFFIXES.map((s) => target + s).find((candidate) => {
      const abs = path.join(dir, candidate);
      return !candidate.startsWith("..") && fs.existsSync(abs) && fs.statSync(abs).isFile();
    });
    return { specifier, resolved };
  });
}

const isCode = (file: string): boolean => /\.(ts|js|mjs|cjs)$/.test(file);

/** "file: specifier" for every relative import under `dir` that resolves to no file there. */
export function unresolvedImports(dir: string): string[] {
  const problems: string[] = [];
  for (const file of walkFiles(dir).filter(isCode)) {
    for (const { specifier, resolved } of relativeImports(dir, file)) {
      if (!resolved) problems.push(`${file}: imports ${specifier}, which is not in the release`);
    }
  }
  return problems;
}

/**
 * The files under `dir` that `seeds` (relative paths) reach through relative imports, the
 * seeds included. Imports that resolve to nothing are left to {@link unresolvedImports}.
 */
export function importClosure(dir: string, seeds: readonly string[]): Set<string> {
  const reached = new Set<string>();
  const pending = seeds.filter(isCode);
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (reached.has(file)) continue;
    reached.add(file);
    for (const { resolved } of relativeImports(dir, file)) {
      if (resolved && isCode(resolved) && !reached.has(resolved)) pending.push(resolved);
    }
  }
  return reached;
}
