/**
 * Reading a learner's submission (a folder or a .zip of it) without trusting it: regular files
 * only (symbolic links are skipped, so a link to /etc/shadow or to the reference solutions is
 * not copied), bounded in count and size, and found wherever the learner put the exercise
 * folders: at the top, under `exercises/`, or under one wrapping folder (as zip tools make).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readZip, type ZipFile } from "./zip";

/** Most files a submission may hold. */
export const MAX_SUBMISSION_FILES = 500;
/** Most bytes a submission may hold. */
export const MAX_SUBMISSION_BYTES = 20 * 1024 * 1024;

/** Folders never copied: dependencies, version control, archive tools' litter. */
const IGNORED_DIRS = new Set(["node_modules", ".git", "__MACOSX", ".venv"]);

/** What was found for each exercise. */
export interface Submission {
  /** Exercise slug to its files (path relative to the exercise folder, and content). */
  exercises: Map<string, ZipFile[]>;
  /** What was skipped or could not be read, for the report. */
  notes: string[];
}

/** Every regular file under `dir`, as relative paths, within the limits. */
function readFolder(dir: string, notes: string[]): ZipFile[] {
  const files: ZipFile[] = [];
  let total = 0;
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) notes.push(`skipped ${rel}: a symbolic link`);
      else if (entry.isDirectory()) {
        if (!IGNORED_DIRS.has(entry.name)) walk(rel);
      } else if (entry.isFile()) {
        const full = path.join(dir, rel);
        total += fs.statSync(full).size;
        if (files.length + 1 > MAX_SUBMISSION_FILES) {
          throw new Error(`more than ${MAX_SUBMISSION_FILES} files in the submission`);
        }
        if (total > MAX_SUBMISSION_BYTES) {
          throw new Error(`the submission holds more than ${MAX_SUBMISSION_BYTES} bytes`);
        }
        files.push({ path: rel, data: fs.readFileSync(full) });
      }
    }
  };
  walk("");
  return files;
}

/**
 * The folder prefix ("", "exercises/", "alice/exercises/") under which `slug` sits, shallowest
 * first, looking at most three folders deep.
 */
function findExerciseFolder(files: readonly ZipFile[], slug: string): string | undefined {
  let best: string | undefined;
  for (const file of files) {
    const parts = file.path.split("/");
    const at = parts.indexOf(slug);
    if (at < 0 || at > 3 || at === parts.length - 1) continue;
    const prefix = parts
      .slice(0, at)
      .map((p) => `${p}/`)
      .join("");
    if (best === undefined || prefix.length < best.length) best = prefix;
  }
  return best;
}

/**
 * Reads the submission at `source` (a folder, or a `.zip` file) and picks out the folders of
 * `slugs`. Throws an `Error` with a readable message when it cannot be read at all (missing,
 * damaged archive, too big); a missing exercise is not an error (it is absent from the map).
 *
 * @example
 * const { exercises } = readSubmission("submissions/alice.zip", ["ex02-framing"]);
 */
export function readSubmission(source: string, slugs: readonly string[]): Submission {
  const notes: string[] = [];
  const stat = fs.statSync(source);
  let files: ZipFile[];
  if (stat.isDirectory()) files = readFolder(source, notes);
  else if (/\.zip$/i.test(source)) {
    const contents = readZip(fs.readFileSync(source), {
      maxFiles: MAX_SUBMISSION_FILES,
      maxTotalBytes: MAX_SUBMISSION_BYTES,
    });
    files = contents.files.filter((f) => !f.path.split("/").some((p) => IGNORED_DIRS.has(p)));
    notes.push(...contents.skipped.map((s) => `skipped ${s}`));
  } else {
    throw new Error(`${source} is neither a folder nor a .zip file`);
  }
  const exercises = new Map<string, ZipFile[]>();
  for (const slug of slugs) {
    const prefix = findExerciseFolder(files, slug);
    if (prefix === undefined) continue;
    const under = `${prefix}${slug}/`;
    exercises.set(
      slug,
      files
        .filter((f) => f.path.startsWith(under))
        .map((f) => ({ path: f.path.slice(under.length), data: f.data })),
    );
  }
  return { exercises, notes };
}
