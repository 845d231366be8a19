/**
 * The released package.json: the same dependencies (so the lock file still matches and
 * `npm ci` works) without the scripts whose programs were left out of the release, such as
 * `release` and `grade` in the student bundle.
 */

/** The rewritten package.json and the names of the scripts dropped. */
export interface PrunedPackage {
  text: string;
  dropped: string[];
}

/** Paths of project files a script command names, e.g. `autograder/check.ts`. */
export function scriptFiles(command: string): string[] {
  return command
    .split(/\s+/)
    .filter((word) => /^[\w.-]+(\/[\w.-]+)+\.(ts|js|mjs|cjs|py|sh)$/.test(word));
}

/**
 * Drops from the package.json `text` every script naming a file for which `exists` is false.
 * The output is formatted as npm and Prettier write package.json (two-space JSON).
 */
export function pruneScripts(text: string, exists: (file: string) => boolean): PrunedPackage {
  const pkg = JSON.parse(text) as { scripts?: Record<string, string> };
  const dropped: string[] = [];
  for (const [name, command] of Object.entries(pkg.scripts ?? {})) {
    if (scriptFiles(command).some((file) => !exists(file))) {
      dropped.push(name);
      delete pkg.scripts?.[name];
    }
  }
  return { text: dropped.length > 0 ? JSON.stringify(pkg, null, 2) + "\n" : text, dropped };
}
