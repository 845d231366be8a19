/**
 * Grading one submission end to end: copy it into a fresh workspace (never touching the
 * instructor's checkout), type-check it, then run each exercise's public and hidden tests in
 * the sandbox, one run per test file, so one exercise's crash never loses another's result.
 */
import * as path from "node:path";
import type { IsolationPlan } from "../sandbox/isolation";
import type { Stage } from "../sandbox/stage";
import { readSubmission } from "../sandbox/submission";
import { Workspace } from "../sandbox/workspace";
import { REPO_ROOT } from "./exercise-path";
import type { ExerciseOutcome, ExerciseResult, GradeReport, TestResult } from "./result";
import { sumPoints } from "./result";
import { runGradedFile, type RunLimits } from "./run-graded-file";
import type { TestFile } from "./test-manifest";
import type { TypeChecker } from "./type-check";

/** Longest compiler output kept in a note, in lines. */
const MAX_COMPILER_LINES = 30;

/** What grading one submission needs and shares with the others. */
export interface GradingSetup {
  plan: IsolationPlan;
  /** Every test file of the exercises to grade, from the trusted manifest, in order. */
  manifest: TestFile[];
  typeChecker: TypeChecker;
  /** Fixed paths of the runs, and the jest cache the manifest run warmed (`sandbox/stage.ts`). */
  stage: Stage;
  limits: RunLimits;
  /** Hidden from every run, on top of the reference solutions and .git. */
  extraHiddenDirs: string[];
  verbose?: boolean;
}

/** A graded submission: the report exporters read, plus where and how long. */
export interface SubmissionReport extends GradeReport {
  /** The submission as given (folder or .zip). */
  submission: string;
  wallMs: number;
  gradedAt: string;
  /** What isolation the runs had (see `sandbox/isolation.ts`). */
  isolation: string[];
  /** What was skipped while reading the submission (symbolic links, unsafe paths). */
  notes: string[];
}

/** The exercises of the manifest, in order, with their test files. */
function exercisesOf(manifest: readonly TestFile[]): Map<string, TestFile[]> {
  const byExercise = new Map<string, TestFile[]>();
  for (const file of manifest) {
    byExercise.set(file.exercise, [...(byExercise.get(file.exercise) ?? []), file]);
  }
  return byExercise;
}

/** Every test of `files` as not run, for an exercise that could not be run at all. */
function notRun(
  exercise: string,
  files: readonly TestFile[],
  outcome: ExerciseOutcome,
  note: string,
): ExerciseResult {
  const tests: TestResult[] = files.flatMap((f) =>
    f.tests.map((t) => {
      const test: TestResult = {
        exercise,
        name: t.name,
        points: 0,
        maxPoints: t.points,
        status: "not-run",
        message: `not run: ${note.split("\n")[0] ?? ""}`,
        hint: t.hint,
      };
      if (f.hidden) test.hidden = true;
      return test;
    }),
  );
  return { exercise, tests, ...sumPoints(tests), note, outcome, wallMs: 0 };
}

/** One exercise's result from its runs (public first): tests joined, first problem wins. */
function mergeRuns(exercise: string, runs: readonly ExerciseResult[]): ExerciseResult {
  const tests = runs.flatMap((r) => r.tests);
  const notes = runs.map((r) => r.note).filter((n): n is string => n !== undefined);
  const outcome = runs.find((r) => r.outcome !== undefined && r.outcome !== "graded")?.outcome;
  const merged: ExerciseResult = {
    exercise,
    tests,
    ...sumPoints(tests),
    wallMs: runs.reduce((sum, r) => sum + r.wallMs, 0),
    outcome: outcome ?? "graded",
  };
  if (notes.length > 0) merged.note = notes.join("\n");
  return merged;
}

/**
 * The note of a hidden run, with its tests' names replaced: exercise notes are shown with the
 * public results, hidden tests' names only once grades are published.
 */
function maskHiddenNames(result: ExerciseResult, file: TestFile): ExerciseResult {
  if (!file.hidden || result.note === undefined) return result;
  let note = result.note;
  for (const t of file.tests) note = note.split(`"${t.name}"`).join("a hidden test");
  return { ...result, note: `hidden tests: ${note}` };
}

/** `dir` is `other` or one of its ancestors. */
const holds = (dir: string, other: string): boolean =>
  other === dir || other.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);

/** What every run reads: hiding any of these, or a folder holding one, would break it. */
function neededPaths(setup: GradingSetup, workspaceRoot: string): string[] {
  const autograder = path.join(REPO_ROOT, "autograder");
  return [
    ...["tests", "hidden", "lib", "sandbox", "tsconfig.grading.json"].map((p) =>
      path.join(autograder, p),
    ),
    ...["node_modules", "kernel-lib", "tsconfig.json"].map((p) => path.join(REPO_ROOT, p)),
    workspaceRoot,
    setup.stage.root,
    process.execPath,
  ];
}

/**
 * What a run must not see: the reference solutions, the repository's history, and the
 * setup's extra folders (other submissions), except any that holds or lies inside what the
 * run needs: hiding `/tmp` would hide the workspace itself.
 */
function hiddenDirsFor(setup: GradingSetup, workspaceRoot: string): string[] {
  const needed = neededPaths(setup, workspaceRoot);
  const extra = setup.extraHiddenDirs
    .map((d) => path.resolve(d))
    .filter((d) => !needed.some((n) => holds(d, n) || holds(n, d)));
  return [path.join(REPO_ROOT, "autograder", "solutions"), path.join(REPO_ROOT, ".git"), ...extra];
}

/** One test file of one exercise, to run against a submission. */
export interface RunUnit {
  exercise: string;
  file: TestFile;
}

/** The users a run executes as (see `sandbox/sandbox-uid.ts`). */
export interface RunIdentity {
  uid: number;
  gid: number;
}

/**
 * One submission being graded: opened (read, copied, type-checked), then its runs, which may go
 * in any order and at the same time, then finished into its report. The workspace's files
 * belong to the submission's group, so every run of it can read them whichever user it is.
 */
export class SubmissionGrading {
  /** The runs still to do, in manifest order (public before hidden, exercise by exercise). */
  readonly units: RunUnit[] = [];
  /** Results of exercises settled without running (missing, not compiling, unreadable). */
  private readonly settled = new Map<string, ExerciseResult>();
  private readonly runResults = new Map<TestFile, ExerciseResult>();

  private constructor(
    readonly source: string,
    private readonly setup: GradingSetup,
    private readonly workspace: Workspace,
    private readonly notes: string[],
    private readonly started: number,
  ) {}

  /**
   * Reads the submission at `source` (folder or .zip) into a fresh workspace readable by group
   * `gid`, and type-checks it. Never rejects for anything the submission contains: an
   * unreadable one leaves every exercise settled at 0 with the reason.
   */
  static async open(source: string, setup: GradingSetup, gid: number): Promise<SubmissionGrading> {
    const started = Date.now();
    const byExercise = exercisesOf(setup.manifest);
    const workspace = Workspace.create(setup.plan.setpriv !== undefined ? gid : undefined);
    const notes: string[] = [];
    const grading = new SubmissionGrading(source, setup, workspace, notes, started);
    try {
      let submission: ReturnType<typeof readSubmission> | undefined;
      let unreadable = "";
      try {
        submission = readSubmission(source, [...byExercise.keys()]);
        notes.push(...submission.notes);
      } catch (err) {
        unreadable = `the submission could not be read: ${(err as Error).message}`;
      }
      const filesOf = new Map<string, string[]>();
      for (const [slug, files] of submission?.exercises ?? []) {
        filesOf.set(slug, workspace.addExercise(slug, files));
      }
      const tsFiles = [...filesOf.values()].flat().filter((f) => f.endsWith(".ts"));
      const typeCheck = await setup.typeChecker.check(workspace.exercisesDir, tsFiles);
      for (const [slug, files] of byExercise) {
        if (!submission) {
          grading.settled.set(slug, notRun(slug, files, "import-error", unreadable));
          continue;
        }
        if (!filesOf.has(slug)) {
          const why = `no folder ${slug} in the submission`;
          grading.settled.set(slug, notRun(slug, files, "import-error", why));
          continue;
        }
        const mine = new Set(filesOf.get(slug));
        const errors = typeCheck.diagnostics.filter((d) => d.file === "" || mine.has(d.file));
        if (typeCheck.error !== undefined || errors.length > 0) {
          const lines = (typeCheck.error ?? errors.map((d) => d.text).join("\n")).split("\n");
          const shown = lines.slice(0, MAX_COMPILER_LINES).join("\n");
          const more = lines.length > MAX_COMPILER_LINES ? "\n..." : "";
          const why = `does not compile:\n${shown}${more}`;
          grading.settled.set(slug, notRun(slug, files, "compile-error", why));
          continue;
        }
        for (const file of files) grading.units.push({ exercise: slug, file });
      }
    } catch (err) {
      workspace.remove();
      throw err;
    }
    return grading;
  }

  /** Runs one unit in the sandbox as `identity`; never rejects for what the submission does. */
  async run(unit: RunUnit, identity: RunIdentity): Promise<void> {
    const { setup, workspace } = this;
    const label = `${unit.exercise}${unit.file.hidden ? "-hidden" : ""}`;
    const result = await runGradedFile({
      plan: setup.plan,
      testFile: unit.file,
      run: workspace.newRun(label, identity.uid, setup.stage, setup.plan.mount),
      uid: identity.uid,
      gid: identity.gid,
      limits: setup.limits,
      hiddenDirs: hiddenDirsFor(setup, workspace.root),
      ...(setup.verbose === undefined ? {} : { verbose: setup.verbose }),
    });
    this.runResults.set(unit.file, maskHiddenNames(result, unit.file));
  }

  /** The report, once every unit has run; removes the workspace. */
  finish(): SubmissionReport {
    this.workspace.remove();
    const results: ExerciseResult[] = [];
    for (const [slug, files] of exercisesOf(this.setup.manifest)) {
      const settled = this.settled.get(slug);
      if (settled) {
        results.push(settled);
        continue;
      }
      const runs = files.map(
        (file) =>
          this.runResults.get(file) ??
          notRun(slug, [file], "crashed", "the grader did not run these tests"),
      );
      results.push(mergeRuns(slug, runs));
    }
    return {
      submission: path.resolve(this.source),
      exercisesDir: path.resolve(this.source),
      exercises: results,
      ...sumPoints(results),
      wallMs: Date.now() - this.started,
      gradedAt: new Date().toISOString(),
      isolation: this.setup.plan.report,
      notes: this.notes,
    };
  }

  /** Removes the workspace without a report (the grader itself failed). */
  abandon(): void {
    this.workspace.remove();
  }
}
