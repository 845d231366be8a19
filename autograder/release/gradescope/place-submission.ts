/**
 * `place-submission.ts SUBMISSION STARTERS OUT`: lays out a Gradescope submission as the
 * grader expects it, `OUT/exNN-slug/file.ts` for every starter file `STARTERS/exNN-slug/file.ts`.
 *
 * Learners upload in different shapes: the whole repository, the `exercises/` folder, the
 * exercise folders, or loose files. Each starter file is looked for, in order, at
 * `exercises/exNN-slug/file.ts`, then `exNN-slug/file.ts` at any depth, then as a loose
 * `file.ts` when that name belongs to one exercise only and appears once in the submission.
 * A file not found is taken from the starter (it scores what the starter scores: nothing), and
 * said so on stdout, which Gradescope shows the instructor.
 */
import * as fs from "node:fs";
import * as path from "node:path";

function walk(dir: string, prefix = ""): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && !entry.name.startsWith(".")) {
        files.push(...walk(dir, rel));
      }
    } else if (entry.isFile()) files.push(rel);
  }
  return files;
}

/** Where in the submission `slug/file` is, as a path relative to it; undefined if nowhere. */
export function locate(
  submitted: readonly string[],
  slug: string,
  file: string,
  looseNameIsUnique: boolean,
): string | undefined {
  const exact = `exercises/${slug}/${file}`;
  if (submitted.includes(exact)) return exact;
  const inFolder = submitted.filter(
    (f) => f === `${slug}/${file}` || f.endsWith(`/${slug}/${file}`),
  );
  if (inFolder.length > 0) return inFolder.sort((a, b) => a.length - b.length)[0];
  if (!looseNameIsUnique) return undefined;
  const loose = submitted.filter((f) => path.posix.basename(f) === file);
  return loose.length === 1 ? loose[0] : undefined;
}

function main(): void {
  const [submission, starters, out] = process.argv.slice(2);
  if (!submission || !starters || !out) {
    console.error("usage: place-submission.ts SUBMISSION STARTERS OUT");
    process.exit(2);
  }
  const submitted = fs.existsSync(submission) ? walk(submission) : [];
  const starterFiles = walk(starters).filter((f) => /^ex\d\d-[^/]+\/[^/]+\.ts$/.test(f));
  const nameCount = new Map<string, number>();
  for (const f of starterFiles) {
    const name = path.posix.basename(f);
    nameCount.set(name, (nameCount.get(name) ?? 0) + 1);
  }
  for (const starterFile of starterFiles) {
    const [slug, file] = starterFile.split("/") as [string, string];
    const found = locate(submitted, slug, file, nameCount.get(file) === 1);
    const from = found ? path.join(submission, found) : path.join(starters, starterFile);
    fs.mkdirSync(path.join(out, slug), { recursive: true });
    fs.copyFileSync(from, path.join(out, slug, file));
    console.log(
      found ? `${starterFile} <- ${found}` : `${starterFile}: not submitted, starter used`,
    );
  }
}

if (require.main === module) main();
