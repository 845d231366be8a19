/**
 * What every submission of one `npm run grade` shares: the isolation found on this machine,
 * the trusted test manifest, a warm jest cache, and the type-checker's worker.
 */
import { probeIsolation } from "../sandbox/isolation";
import { ensureStage } from "../sandbox/stage";
import { Workspace } from "../sandbox/workspace";
import type { GradingSetup } from "./grade-submission";
import type { RunLimits } from "./run-graded-file";
import { JEST_BIN, readTestManifest, SANDBOX_JEST_CONFIG, testFilesOf } from "./test-manifest";
import { TypeChecker } from "./type-check";

/** Options of {@link openGradingSession}. */
export interface SessionOptions {
  exercises: readonly string[];
  /** Leave out the hidden tests (to see what learners' own runs show). */
  publicOnly: boolean;
  limits: RunLimits;
  /** Hidden from every run besides the reference solutions (e.g. the batch folder). */
  extraHiddenDirs: string[];
  verbose: boolean;
}

/** A grading session; `close()` stops the type-checker. */
export interface GradingSession extends GradingSetup {
  close(): Promise<void>;
}

/**
 * Probes isolation, reads the manifest (one trusted jest run, 2 to 10 s) and starts the
 * type-checker. Rejects when a test file cannot be read (the grader's problem, not a
 * submission's).
 */
export async function openGradingSession(options: SessionOptions): Promise<GradingSession> {
  const testFiles = options.exercises.flatMap((e) =>
    testFilesOf(e, !options.publicOnly).map((f) => f.file),
  );
  const plan = probeIsolation([JEST_BIN, SANDBOX_JEST_CONFIG, ...testFiles]);
  Workspace.removeStale();
  // The cache is kept between invocations (jest invalidates by content).
  const stage = ensureStage();
  const manifest = await readTestManifest(options.exercises, stage, !options.publicOnly);
  const typeChecker = new TypeChecker();
  return {
    plan,
    manifest,
    typeChecker,
    stage,
    limits: options.limits,
    extraHiddenDirs: options.extraHiddenDirs,
    verbose: options.verbose,
    close: () => typeChecker.close(),
  };
}
