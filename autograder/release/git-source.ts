/**
 * Releases are made from a commit, not from the working tree: the bundle holds exactly what is
 * committed (no half-edited file, no untracked experiment, nothing ignored such as
 * node_modules or .venv).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

function git(root: string, args: string[]): string {
  const run = spawnSync("git", ["-C", root, ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) {
    throw new Error(`git ${args.join(" ")} failed: ${run.stderr || run.error?.message || ""}`);
  }
  return run.stdout;
}

/** The full commit id `ref` names in the repository at `root`. */
export function resolveCommit(root: string, ref: string): string {
  return git(root, ["rev-parse", "--verify", `${ref}^{commit}`]).trim();
}

/** Every file path (relative, with `/`) tracked at `commit`. */
export function filesAt(root: string, commit: string): string[] {
  return git(root, ["ls-tree", "-r", "-z", "--name-only", commit]).split("\0").filter(Boolean);
}

/**
 * Writes the whole tree of `commit` into the empty directory `dest` (file modes kept, so
 * executables stay executable), through `git archive` and `tar`.
 */
export function checkoutTree(root: string, commit: string, dest: string): void {
  fs.mkdirSync(dest, { recursive: true });
  const tarFile = path.join(dest, ".release.tar");
  git(root, ["archive", "--format=tar", "-o", tarFile, commit]);
  const tar = spawnSync("tar", ["-xf", tarFile, "-C", dest], { encoding: "utf8" });
  fs.rmSync(tarFile);
  if (tar.status !== 0) throw new Error(`tar -x failed: ${tar.stderr || tar.error?.message}`);
}
