/**
 * Starters and reference solutions must not drift apart: the same files per exercise, and in
 * each pair the same exported names with the same types. The graded tests are typed by the
 * starters and pass on the solutions, so drift means a learner's file faces tests written
 * for another API. `npm run release` refuses to release while any is found.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { diffApis, readExportedApis } from "./exported-api";

/** One pair of files that drifted, or an exercise whose files do not pair up. */
export interface Drift {
  exercise: string;
  /** The file (relative to the exercise folder), when the drift is inside one pair. */
  file?: string;
  problem: string;
}

/** The exercise folders (`exNN-slug`) in `dir`, sorted. */
export function exerciseFolders(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^ex\d\d-/.test(e.name))
    .map((e) => e.name)
    .sort();
}

const codeFiles = (dir: string): string[] =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .sort();

/**
 * Every drift between the starters in `startersDir` and the solutions in `solutionsDir`
 * (both holding `exNN-slug/` folders), compiled with `tsconfigPath`'s options. Empty when
 * each starter folder has a solution folder with the same `.ts` files exporting the same API.
 */
export function findDrift(
  startersDir: string,
  solutionsDir: string,
  tsconfigPath: string,
): Drift[] {
  const drifts: Drift[] = [];
  const pairs: { exercise: string; file: string; starter: string; solution: string }[] = [];
  for (const exercise of exerciseFolders(startersDir)) {
    const solutionDir = path.join(solutionsDir, exercise);
    if (!fs.existsSync(solutionDir)) {
      drifts.push({ exercise, problem: `no reference solution folder ${solutionDir}` });
      continue;
    }
    const starterFiles = codeFiles(path.join(startersDir, exercise));
    const solutionFiles = codeFiles(solutionDir);
    const only = (a: string[], b: string[]): string[] => a.filter((f) => !b.includes(f));
    for (const file of only(starterFiles, solutionFiles)) {
      drifts.push({ exercise, file, problem: "only the starter has this file" });
    }
    for (const file of only(solutionFiles, starterFiles)) {
      drifts.push({ exercise, file, problem: "only the solution has this file" });
    }
    for (const file of starterFiles.filter((f) => solutionFiles.includes(f))) {
      pairs.push({
        exercise,
        file,
        starter: path.join(startersDir, exercise, file),
        solution: path.join(solutionDir, file),
      });
    }
  }
  for (const exercise of exerciseFolders(solutionsDir)) {
    if (!fs.existsSync(path.join(startersDir, exercise))) {
      drifts.push({ exercise, problem: "a reference solution without a starter folder" });
    }
  }
  if (pairs.length === 0) return drifts;
  const apis = readExportedApis(
    pairs.flatMap((p) => [p.starter, p.solution]),
    tsconfigPath,
  );
  for (const { exercise, file, starter, solution } of pairs) {
    for (const d of diffApis(apis.get(starter) ?? new Map(), apis.get(solution) ?? new Map())) {
      drifts.push({
        exercise,
        file,
        problem: `export ${d.name}: starter has ${d.left ?? "nothing"}, solution has ${d.right ?? "nothing"}`,
      });
    }
  }
  return drifts;
}

/** One line per drift, for error messages. */
export function formatDrift(drifts: readonly Drift[]): string {
  return drifts.map((d) => `${d.exercise}${d.file ? `/${d.file}` : ""}: ${d.problem}`).join("\n");
}
