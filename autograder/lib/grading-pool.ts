/**
 * Grading submissions with `jobs` sandboxed runs at a time. The unit of work is one test file
 * against one submission, so one submission's exercises run side by side when the machine has
 * room, and a batch keeps every job busy to its end. Each job slot is a sandbox user of its
 * own; each submission in progress holds a group of its own (at most `jobs` are in progress:
 * a job opens the next submission only when none in progress has a run left to start).
 */
import { sandboxGid, sandboxUid } from "../sandbox/sandbox-uid";
import {
  SubmissionGrading,
  type GradingSetup,
  type RunUnit,
  type SubmissionReport,
} from "./grade-submission";

/** One submission to grade; `key` is the caller's name for it (the student). */
export interface PoolEntry {
  key: string;
  source: string;
}

/** How one submission ended: its report, or the grader's own failure on it. */
export type PoolOutcome = { key: string; report: SubmissionReport } | { key: string; error: Error };

interface InProgress {
  key: string;
  grading: SubmissionGrading;
  pending: RunUnit[];
  running: number;
  groupSlot: number;
  /** The grader's own failure on one of the runs, if any. */
  failure?: Error;
}

/**
 * Grades `entries`, `jobs` runs at a time, calling `onDone` as each submission is finished
 * (in the order they finish). Resolves when all are done. Never rejects: a failure of the
 * grader on one submission is reported for it and the others go on.
 *
 * @example
 * await gradeInPool([{ key: "alice", source: "subs/alice.zip" }], setup, 2, (o) => log(o));
 */
export async function gradeInPool(
  entries: readonly PoolEntry[],
  setup: GradingSetup,
  jobs: number,
  onDone: (outcome: PoolOutcome) => void,
): Promise<void> {
  const queue = [...entries];
  const inProgress: InProgress[] = [];
  const freeGroups = Array.from({ length: jobs }, (_, i) => jobs - 1 - i);
  /** Submissions being opened (read and type-checked) right now. */
  let opening = 0;
  /** Idle workers waiting for an opening submission's runs. */
  const waiting: (() => void)[] = [];

  const settle = (entry: InProgress, outcome: PoolOutcome): void => {
    inProgress.splice(inProgress.indexOf(entry), 1);
    freeGroups.push(entry.groupSlot);
    onDone(outcome);
  };

  const worker = async (slot: number): Promise<void> => {
    const identity = (entry: InProgress): { uid: number; gid: number } => ({
      uid: sandboxUid(slot),
      gid: sandboxGid(entry.groupSlot),
    });
    for (;;) {
      const entry = inProgress.find((e) => e.pending.length > 0);
      if (!entry) {
        const next = queue.shift();
        if (!next) {
          // A submission still being opened will bring runs to share; otherwise, done.
          if (opening === 0) return;
          await new Promise<void>((resolve) => waiting.push(resolve));
          continue;
        }
        const groupSlot = freeGroups.pop() as number;
        opening++;
        try {
          const grading = await SubmissionGrading.open(next.source, setup, sandboxGid(groupSlot));
          const opened: InProgress = {
            key: next.key,
            grading,
            pending: [...grading.units],
            running: 0,
            groupSlot,
          };
          inProgress.push(opened);
          if (opened.pending.length === 0)
            settle(opened, { key: next.key, report: grading.finish() });
        } catch (err) {
          freeGroups.push(groupSlot);
          onDone({ key: next.key, error: err instanceof Error ? err : new Error(String(err)) });
        } finally {
          opening--;
          for (const wake of waiting.splice(0)) wake();
        }
        continue;
      }
      const unit = entry.pending.shift() as RunUnit;
      entry.running++;
      let failure: Error | undefined;
      try {
        await entry.grading.run(unit, identity(entry));
      } catch (err) {
        failure = err instanceof Error ? err : new Error(String(err));
      }
      entry.running--;
      if (failure) {
        // The grader failed (not the submission): give up on this submission only.
        entry.failure ??= failure;
        entry.pending.length = 0;
      }
      if (entry.pending.length === 0 && entry.running === 0 && inProgress.includes(entry)) {
        if (entry.failure) {
          entry.grading.abandon();
          settle(entry, { key: entry.key, error: entry.failure });
        } else settle(entry, { key: entry.key, report: entry.grading.finish() });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, (_, slot) => worker(slot)));
}
