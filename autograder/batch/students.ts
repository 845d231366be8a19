/**
 * The students of a batch: one sub-folder or one `.zip` per student in the batch folder, named
 * by it ("alice/" and "alice.zip" are both student "alice").
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** One student's submission. */
export interface StudentSubmission {
  /** The folder or zip name without ".zip": the key of the results and the gradebook row. */
  student: string;
  /** Absolute path of the folder or .zip. */
  source: string;
}

/**
 * The submissions in `batchDir`, sorted by student. Skips hidden entries, archive tools'
 * litter, loose files, and `exclude` (the results folder when it lies inside the batch).
 * Throws an `Error` when two entries name the same student.
 *
 * @example
 * listStudents("submissions"); // [{ student: "alice", source: "/.../submissions/alice.zip" }]
 */
export function listStudents(
  batchDir: string,
  exclude: readonly string[] = [],
): StudentSubmission[] {
  const skip = new Set(exclude.map((p) => path.resolve(p)));
  const byName = new Map<string, StudentSubmission>();
  for (const entry of fs.readdirSync(batchDir, { withFileTypes: true })) {
    const source = path.resolve(batchDir, entry.name);
    if (entry.name.startsWith(".") || entry.name === "__MACOSX" || skip.has(source)) continue;
    let student: string;
    if (entry.isDirectory()) student = entry.name;
    else if (entry.isFile() && /\.zip$/i.test(entry.name)) student = entry.name.slice(0, -4);
    else continue;
    const other = byName.get(student);
    if (other) {
      throw new Error(`two submissions for "${student}": ${other.source} and ${source}`);
    }
    byName.set(student, { student, source });
  }
  return [...byName.values()].sort((a, b) => a.student.localeCompare(b.student));
}
