/**
 * Self-test: the starters learners get and the reference solutions cannot drift apart. For
 * every exercise folder in `exercises/` (what `npm run release` ships), the solution has the
 * same files, and each pair exports the same names with the same types, read with the
 * TypeScript compiler API.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../lib/exercise-path";
import { exerciseFolders, findDrift, formatDrift } from "../release/drift";

const TSCONFIG = path.join(REPO_ROOT, "tsconfig.json");
const STARTERS = path.join(REPO_ROOT, "exercises");
const SOLUTIONS = path.join(REPO_ROOT, "autograder", "solutions");

it("finds the same files, exported names and exported types in every starter and its solution", () => {
  expect(exerciseFolders(STARTERS).length).toBeGreaterThan(0);
  const drifts = findDrift(STARTERS, SOLUTIONS, TSCONFIG);
  if (drifts.length > 0) throw new Error(`starters and solutions drifted:\n${formatDrift(drifts)}`);
}, 60_000);

describe("the drift check on small made-up exercises", () => {
  let tmp: string;
  const write = (file: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(tmp, file)), { recursive: true });
    fs.writeFileSync(path.join(tmp, file), text);
  };
  const STARTER = [
    "export const LIMIT = 10;",
    "export interface Reply { id: number; text: string }",
    "export type Kind = 'a' | 'b';",
    "export class Box { constructor(readonly size: number) {} open(): string { throw new Error('TODO'); } }",
    "export function answer(n: number): Promise<Reply> { throw new Error(`TODO ${n}`); }",
  ].join("\n");

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-drift-"));
    write("starters/ex09-demo/demo.ts", STARTER);
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const drift = (solution: string): string[] => {
    write("solutions/ex09-demo/demo.ts", solution);
    const found = findDrift(path.join(tmp, "starters"), path.join(tmp, "solutions"), TSCONFIG);
    return found.map((d) => `${d.file ?? ""} ${d.problem}`);
  };

  it("accepts a solution whose bodies and private members differ but whose API does not", () => {
    const solution = STARTER.replace(
      "open(): string { throw new Error('TODO'); }",
      "private opened = 0; open(): string { this.opened++; return 'x'.repeat(this.size); }",
    );
    expect(drift(solution)).toEqual([]);
  }, 30_000);

  it.each([
    ["a parameter type", "answer(n: number)", "answer(n: string)", "export answer"],
    ["an interface member", "id: number;", "id: string;", "export Reply"],
    ["a union member", "'a' | 'b'", "'a' | 'c'", "export Kind"],
    ["a public method", "open(): string", "open(): number", "export Box"],
    ["a constant's value", "LIMIT = 10", "LIMIT = 11", "export LIMIT"],
    ["an export's name", "function answer(", "function reply(", "export answer"],
  ])(
    "reports a changed %s",
    (_what, from, to, expected) => {
      const problems = drift(STARTER.replace(from, to));
      expect(problems.join("\n")).toContain(expected);
    },
    30_000,
  );

  it("reports a file only one side has and an exercise without a solution", () => {
    write("solutions/ex09-demo/demo.ts", STARTER);
    write("solutions/ex09-demo/extra.ts", "export const EXTRA = 1;");
    write("starters/ex10-lonely/lonely.ts", "export const X = 1;");
    const found = findDrift(path.join(tmp, "starters"), path.join(tmp, "solutions"), TSCONFIG);
    expect(formatDrift(found).split("\n")).toEqual([
      "ex09-demo/extra.ts: only the solution has this file",
      `ex10-lonely: no reference solution folder ${path.join(tmp, "solutions", "ex10-lonely")}`,
    ]);
  }, 30_000);
});
