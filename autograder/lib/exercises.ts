/**
 * The catalogue of gradable exercises: one per graded test file `autograder/tests/exNN-slug.test.ts`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "./exercise-path";

/** Where the public graded tests live. */
export const TESTS_DIR = path.join(REPO_ROOT, "autograder", "tests");

const TEST_FILE = /^(ex\d\d-[a-z0-9-]+)\.test\.ts$/;

/** Slugs of every exercise with graded tests, in order: ["ex02-framing", "ex03-prime-sieve"]. */
export function listExercises(): string[] {
  return fs
    .readdirSync(TESTS_DIR)
    .map((file) => TEST_FILE.exec(file)?.[1])
    .filter((slug): slug is string => slug !== undefined)
    .sort();
}

/** The graded test file of exercise `slug`. */
export function testFileOf(slug: string): string {
  return path.join(TESTS_DIR, `${slug}.test.ts`);
}

/**
 * The exercises named by `selectors` ("ex02", "ex02-framing", or "2"), in catalogue order;
 * every exercise when there are none. Throws an `Error` listing the known ones when a selector
 * matches nothing.
 */
export function selectExercises(selectors: readonly string[]): string[] {
  const all = listExercises();
  if (selectors.length === 0) return all;
  const chosen = new Set<string>();
  for (const selector of selectors) {
    const want = /^\d+$/.test(selector) ? `ex${selector.padStart(2, "0")}` : selector;
    const match = all.find((slug) => slug === want || slug.startsWith(`${want}-`));
    if (!match) throw new Error(`no exercise "${selector}"; known: ${all.join(", ")}`);
    chosen.add(match);
  }
  return all.filter((slug) => chosen.has(slug));
}
