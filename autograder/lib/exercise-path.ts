/**
 * Where graded tests find the code under test. The same tests grade a learner's copy
 * (`exercises/`, the default) or the reference solutions (`autograder/solutions/`): the
 * directory comes from {@link EXERCISES_DIR_ENV}.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Environment variable naming the directory that holds the `exNN-slug/` folders. */
export const EXERCISES_DIR_ENV = "IPC_EXERCISES_DIR";

/** The repository root (this file is `<root>/autograder/lib/exercise-path.ts`). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/**
 * The absolute directory being graded: `$IPC_EXERCISES_DIR` (relative to the current
 * directory) or `<root>/exercises`.
 */
export function exercisesDir(): string {
  const fromEnv = process.env[EXERCISES_DIR_ENV];
  return fromEnv ? path.resolve(fromEnv) : path.join(REPO_ROOT, "exercises");
}

/** Absolute path of `file` (`.ts` added when missing) in exercise `slug` of the graded dir. */
export function exerciseFile(slug: string, file: string): string {
  return path.join(exercisesDir(), slug, file.endsWith(".ts") ? file : `${file}.ts`);
}

/**
 * Loads a module of the graded exercise. `T` is normally `typeof import(<the starter file>)`,
 * so tests are typed by the starter's API. A missing file or a module that fails to load throws
 * an `Error` naming the file, so each test fails with that message rather than the whole test
 * file crashing.
 *
 * @example
 * import type * as Framing from "../../exercises/ex02-framing/framing";
 * const { FrameDecoder } = loadExercise<typeof Framing>("ex02-framing", "framing");
 */
export function loadExercise<T>(slug: string, file: string): T {
  const abs = exerciseFile(slug, file);
  if (!fs.existsSync(abs)) throw new Error(`exercise file not found: ${abs}`);
  try {
    // A run-time path, so a static import cannot do; inside jest this goes through its
    // TypeScript transform like any other import.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(abs) as T;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`could not load ${abs}: ${why}`, { cause: err });
  }
}
