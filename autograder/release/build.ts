/**
 * Builds the two releases from a checked-out commit: the student bundle (a folder) and the
 * Gradescope autograder (a zip). Each is assembled in a staging folder, verified, and only
 * then written to its destination, so a refused release leaves nothing behind.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { classroomWorkflow, type ClassroomExercise } from "./classroom";
import { importClosure, walkFiles } from "./imports";
import {
  GRADESCOPE_EXCLUDE,
  GRADESCOPE_INCLUDE,
  SECRET_DIRS,
  select,
  STUDENT_BY_IMPORT,
  STUDENT_EXCLUDE,
  STUDENT_INCLUDE,
} from "./manifest";
import { clearNotebookOutputs } from "./notebooks";
import { pruneScripts } from "./package-json";
import { gradedPoints } from "./points";
import { filesUnder, sha256, verifyRelease } from "./verify";
import { writeZip, type ZipEntry } from "./zip";

/** A release that must not go out. */
export class ReleaseError extends Error {}

/** The commit being released. */
export interface ReleaseSource {
  /** The commit's files, checked out. */
  tree: string;
  /** Every file of the commit, relative, with `/`. */
  files: string[];
  /** Absolute paths of the solutions and hidden tests, whose content must not leak. */
  secretFiles: string[];
}

/**
 * The files whose content must not be released: the solutions and hidden tests in the
 * checked-out `tree` and in `repoRoot` (a solution not yet committed counts too). A solution
 * file identical to its starter in `tree` is left out: the exercise hands that file out
 * complete (ex03's messages.ts), so it is no secret.
 */
export function secretFilesOf(tree: string, repoRoot: string): string[] {
  const all = SECRET_DIRS.flatMap((dir) => [
    ...filesUnder(path.join(tree, dir)),
    ...filesUnder(path.join(repoRoot, dir)),
  ]);
  return all.filter((file) => {
    const inSolutions = /[\\/]autograder[\\/]solutions[\\/](.+)$/.exec(file)?.[1];
    const starter = inSolutions && path.join(tree, "exercises", inSolutions);
    return !(starter && fs.existsSync(starter) && sha256(starter) === sha256(file));
  });
}

/** Name of the Gradescope upload inside `--out`. */
export const GRADESCOPE_ZIP = "gradescope-autograder.zip";

/** Where the Gradescope scripts live in the repository (and so in the checked-out tree). */
const GRADESCOPE_SCRIPTS = path.join("autograder", "release", "gradescope");

/** Copies `files` (relative) from `from` to `to`, keeping each file's mode. */
function copyFiles(from: string, to: string, files: readonly string[]): void {
  for (const file of files) {
    const target = path.join(to, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(from, file), target);
    fs.chmodSync(target, fs.statSync(path.join(from, file)).mode);
  }
}

/** Rewrites package.json in `dir` without scripts whose files are not there. */
function prunePackageScripts(dir: string): string[] {
  const file = path.join(dir, "package.json");
  const pruned = pruneScripts(fs.readFileSync(file, "utf8"), (f) =>
    fs.existsSync(path.join(dir, f)),
  );
  fs.writeFileSync(file, pruned.text);
  return pruned.dropped;
}

/** The graded exercises of the tree and their points, from `autograder/tests/exNN-*.test.ts`. */
export function exercisesWithPoints(tree: string): ClassroomExercise[] {
  const testsDir = path.join(tree, "autograder", "tests");
  return fs
    .readdirSync(testsDir)
    .map((f) => /^(ex\d\d-[a-z0-9-]+)\.test\.ts$/.exec(f)?.[1])
    .filter((slug): slug is string => slug !== undefined)
    .sort()
    .map((slug) => ({ slug, maxPoints: gradedPoints(path.join(testsDir, `${slug}.test.ts`)) }));
}

function refuseOnProblems(what: string, problems: readonly string[]): void {
  if (problems.length > 0) {
    throw new ReleaseError(`the ${what} failed its checks:\n  ${problems.join("\n  ")}`);
  }
}

/** Copies the finished `built` folder to `out`, which must not exist or be empty. */
function deliver(built: string, out: string): void {
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) {
    throw new ReleaseError(`${out} is not empty; give --out a new or empty folder`);
  }
  fs.cpSync(built, out, { recursive: true });
}

/** The student bundle's files: the included ones, plus what they import from STUDENT_BY_IMPORT. */
export function studentFiles(source: Pick<ReleaseSource, "tree" | "files">): string[] {
  const direct = select(source.files, STUDENT_INCLUDE, STUDENT_EXCLUDE);
  const reached = importClosure(source.tree, direct);
  const imported = select(source.files, STUDENT_BY_IMPORT, STUDENT_EXCLUDE).filter((f) =>
    reached.has(f),
  );
  return [...new Set([...direct, ...imported])].sort();
}

/**
 * Builds the student bundle of `source` into `out` (new or empty). Returns summary lines.
 * Refuses (ReleaseError) when the bundle would hold a secret or an import it lacks.
 */
export function buildStudentBundle(source: ReleaseSource, out: string, stage: string): string[] {
  const built = path.join(stage, "student");
  const files = studentFiles(source);
  copyFiles(source.tree, built, files);

  const summary: string[] = [];
  for (const notebook of files.filter((f) => f.endsWith(".ipynb"))) {
    const file = path.join(built, notebook);
    const cleared = clearNotebookOutputs(fs.readFileSync(file, "utf8"));
    fs.writeFileSync(file, cleared.text);
    summary.push(
      cleared.clearedCells > 0
        ? `${notebook}: outputs cleared in ${cleared.clearedCells} cells`
        : `${notebook}: no outputs`,
    );
  }
  const dropped = prunePackageScripts(built);
  if (dropped.length > 0) summary.push(`package.json: dropped scripts ${dropped.join(", ")}`);

  const exercises = exercisesWithPoints(source.tree);
  const workflow = path.join(built, ".github", "workflows", "classroom.yml");
  fs.mkdirSync(path.dirname(workflow), { recursive: true });
  fs.writeFileSync(workflow, classroomWorkflow(exercises));
  summary.push(
    `.github/workflows/classroom.yml: ${exercises.map((e) => `${e.slug} ${e.maxPoints}`).join(", ")}`,
  );

  refuseOnProblems("student bundle", [
    ...verifyRelease(built, { forbiddenPaths: STUDENT_EXCLUDE, secretFiles: source.secretFiles }),
    ...(fs.existsSync(path.join(built, "autograder", "check.ts"))
      ? []
      : ["no autograder/check.ts"]),
  ]);
  deliver(built, out);
  summary.push(`student bundle: ${walkFiles(out).length} files in ${out}`);
  return summary;
}

/**
 * Builds the Gradescope autograder zip of `source` as `out/gradescope-autograder.zip`.
 * Returns summary lines. Refuses (ReleaseError) when the commit has no `npm run grade`, or
 * when the zip would hold a solution or an import it lacks.
 */
export function buildGradescopeZip(source: ReleaseSource, out: string, stage: string): string[] {
  const built = path.join(stage, "gradescope");
  copyFiles(source.tree, built, select(source.files, GRADESCOPE_INCLUDE, GRADESCOPE_EXCLUDE));
  const scripts = path.join(source.tree, GRADESCOPE_SCRIPTS);
  copyFiles(scripts, built, ["setup.sh", "run_autograder"]);
  copyFiles(scripts, path.join(built, "gradescope"), ["place-submission.ts"]);
  const dropped = prunePackageScripts(built);

  const pkg = JSON.parse(fs.readFileSync(path.join(built, "package.json"), "utf8")) as {
    scripts?: Record<string, string>;
  };
  refuseOnProblems("Gradescope autograder", [
    ...verifyRelease(built, {
      forbiddenPaths: GRADESCOPE_EXCLUDE,
      secretFiles: source.secretFiles.filter((f) =>
        f.includes(path.join(path.sep, "autograder", "solutions", path.sep)),
      ),
    }),
    ...(pkg.scripts?.grade
      ? []
      : ["package.json has no `grade` script, which run_autograder runs"]),
  ]);

  // setup.sh and run_autograder first: Gradescope looks for them at the root.
  const names = walkFiles(built).sort();
  const first = ["setup.sh", "run_autograder"];
  const entries: ZipEntry[] = [...first, ...names.filter((n) => !first.includes(n))].map(
    (name) => ({
      name,
      data: fs.readFileSync(path.join(built, name)),
      mode: fs.statSync(path.join(built, name)).mode & 0o777,
    }),
  );
  fs.mkdirSync(out, { recursive: true });
  const zip = path.join(out, GRADESCOPE_ZIP);
  writeZip(zip, entries);
  return [
    ...(dropped.length > 0 ? [`package.json: dropped scripts ${dropped.join(", ")}`] : []),
    `Gradescope autograder: ${entries.length} files, ${fs.statSync(zip).size} bytes in ${zip}`,
  ];
}
