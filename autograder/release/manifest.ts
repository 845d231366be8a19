/**
 * What each release holds, as path rules relative to the repository root: a path ending in
 * `/` is a folder and everything under it. A file is included when an include rule covers it
 * and no exclude rule does, so a new file in an included folder ships without editing this
 * list, and a secret stays out even if someone later includes its parent.
 */

/** What learners get: the course, the library, the starters and the public grader. */
export const STUDENT_INCLUDE = [
  "README.md",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "jest.config.js",
  "eslint.config.mjs",
  ".prettierrc.json",
  ".prettierignore",
  ".gitignore",
  "requirements.txt",
  "scripts/",
  "kernel-lib/",
  "notebooks/",
  "exercises/",
  // The README links to these developer notes.
  "docs/",
  // `npm run check` and what it loads.
  "autograder/check.ts",
  "autograder/jest.grading.config.js",
  "autograder/tsconfig.grading.json",
  "autograder/tests/",
  // `npm run check:speed` (speed floors, run on request) and its tests.
  "autograder/speed.ts",
  "autograder/speed/",
];

/**
 * Folders of which learners get only the files that shipped code imports: `autograder/lib/`
 * also serves `npm run grade` (sandbox, LMS formats), and `check.ts` needs a part of it.
 */
export const STUDENT_BY_IMPORT = ["autograder/lib/"];

/**
 * Never given to learners: the reference solutions, the hidden tests, and instructor tooling
 * (its self-test reads the solutions; the rest grades, sandboxes, exports and releases).
 */
export const STUDENT_EXCLUDE = [
  "autograder/solutions/",
  "autograder/hidden/",
  "autograder/self-test/",
  "autograder/release/",
  "autograder/formats/",
  "autograder/grade.ts",
  "autograder/sandbox/",
  "autograder/batch/",
  ".ci/",
];

/**
 * The Gradescope autograder's source: what `npm ci` and `npm run grade` need, hidden tests
 * included, solutions not (they never leave the instructors' repository).
 */
export const GRADESCOPE_INCLUDE = [
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "jest.config.js",
  "kernel-lib/",
  "exercises/",
  "autograder/",
];

/** Never in the Gradescope source. */
export const GRADESCOPE_EXCLUDE = [
  // kernel-lib's own tests and benchmarks do not grade anything (and import scripts/).
  "kernel-lib/test/",
  "kernel-lib/bench/",
  "autograder/solutions/",
  "autograder/self-test/",
  "autograder/release/",
];

/** Paths whose presence in a student bundle would leak grading secrets. */
export const SECRET_DIRS = ["autograder/solutions/", "autograder/hidden/"];

/** True when `rule` (a file, or a folder ending in `/`) covers `file`. */
export function covers(rule: string, file: string): boolean {
  return rule.endsWith("/") ? file.startsWith(rule) : file === rule;
}

/** The files of `files` that `include` covers and `exclude` does not. */
export function select(
  files: readonly string[],
  include: readonly string[],
  exclude: readonly string[],
): string[] {
  return files.filter(
    (f) => include.some((r) => covers(r, f)) && !exclude.some((r) => covers(r, f)),
  );
}
