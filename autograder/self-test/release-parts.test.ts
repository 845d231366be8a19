/**
 * Self-test of the parts `npm run release` is built from, each on small made-up input: the
 * notebook cleaner, the package.json pruner, the path rules, the checks a release must pass,
 * the zip writer and the Gradescope submission placer.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { locate } from "../release/gradescope/place-submission";
import { studentFiles } from "../release/build";
import { cellsWithOutputs, clearNotebookOutputs } from "../release/notebooks";
import { pruneScripts, scriptFiles } from "../release/package-json";
import { verifyRelease } from "../release/verify";
import { crc32, zipBytes } from "../release/zip";

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-release-parts-"));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const write = (file: string, text: string | Buffer): string => {
  const abs = path.join(tmp, file);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, text);
  return abs;
};

describe("clearNotebookOutputs", () => {
  const notebook = {
    cells: [
      { cell_type: "markdown", metadata: {}, source: ["# Pipes"] },
      {
        cell_type: "code",
        execution_count: 7,
        metadata: { execution: { "iopub.status.idle": "2024-01-01" }, tags: ["keep"] },
        outputs: [{ output_type: "stream", name: "stdout", text: ["answer: 42\n"] }],
        source: ["console.log('answer:', 42)"],
      },
      { cell_type: "code", execution_count: null, metadata: {}, outputs: [], source: ["1"] },
    ],
    metadata: { kernelspec: { name: "tslab" } },
    nbformat: 4,
    nbformat_minor: 5,
  };

  it("empties outputs, execution counts and timings, and keeps sources and other metadata", () => {
    const cleared = clearNotebookOutputs(JSON.stringify(notebook));
    expect(cleared.clearedCells).toBe(1);
    expect(cellsWithOutputs(cleared.text)).toBe(0);
    const parsed = JSON.parse(cleared.text) as typeof notebook;
    expect(parsed.cells[1]).toEqual({
      cell_type: "code",
      execution_count: null,
      metadata: { tags: ["keep"] },
      outputs: [],
      source: ["console.log('answer:', 42)"],
    });
    expect(parsed.cells[0]).toEqual(notebook.cells[0]);
    expect(parsed.metadata).toEqual(notebook.metadata);
    expect(cleared.text).not.toContain("answer: 42");
  });

  it("returns a notebook without outputs byte for byte", () => {
    const clean = JSON.stringify({ ...notebook, cells: [notebook.cells[0], notebook.cells[2]] });
    expect(clearNotebookOutputs(clean)).toEqual({ text: clean, clearedCells: 0 });
  });
});

describe("pruneScripts", () => {
  it("finds the project files a script runs", () => {
    expect(scriptFiles("tsx autograder/release/release.ts --out x")).toEqual([
      "autograder/release/release.ts",
    ]);
    expect(scriptFiles("eslint . && prettier --check .")).toEqual([]);
  });

  it("drops only the scripts whose files are absent and keeps the rest of package.json", () => {
    const pkg = {
      name: "ipc-course",
      scripts: {
        check: "tsx autograder/check.ts",
        release: "tsx autograder/release/release.ts",
        lint: "eslint .",
      },
      dependencies: { tsx: "4.23.15" },
    };
    const present = new Set(["autograder/check.ts"]);
    const pruned = pruneScripts(JSON.stringify(pkg, null, 2) + "\n", (f) => present.has(f));
    expect(pruned.dropped).toEqual(["release"]);
    expect(JSON.parse(pruned.text)).toEqual({
      ...pkg,
      scripts: { check: "tsx autograder/check.ts", lint: "eslint ." },
    });
  });
});

describe("the student bundle's files", () => {
  it("ship the public grader and only the lib/ files it imports, never secrets or tools", () => {
    const tree: Record<string, string> = {
      "autograder/check.ts": 'import { formatScore } from "./lib/report";\n',
      "autograder/lib/report.ts": 'import type { GradeReport } from "./result";\n',
      "autograder/lib/result.ts": "export interface GradeReport { points: number }\n",
      "autograder/lib/output-format.ts": 'import { toGradescopeResults } from "../formats";\n',
      "autograder/tests/ex02-framing.test.ts": 'import { graded } from "../lib/graded";\n',
      "autograder/lib/graded.ts": "export const graded = 1;\n",
      "autograder/solutions/ex02-framing/framing.ts": "export class FrameDecoder {}\n",
      "autograder/hidden/ex02-framing.test.ts": 'import { graded } from "../lib/graded";\n',
      "autograder/self-test/check.test.ts": "",
      "autograder/grade.ts": 'import "./lib/output-format";\n',
      "autograder/release/release.ts": "",
      "autograder/formats/index.ts": "",
      "exercises/ex02-framing/framing.ts": "export class FrameDecoder {}\n",
      "notebooks/02-pipes.ipynb": "{}",
      ".ci/run": "",
    };
    for (const [file, text] of Object.entries(tree)) write(`tree/${file}`, text);
    expect(studentFiles({ tree: path.join(tmp, "tree"), files: Object.keys(tree) })).toEqual([
      "autograder/check.ts",
      "autograder/lib/graded.ts",
      "autograder/lib/report.ts",
      "autograder/lib/result.ts",
      "autograder/tests/ex02-framing.test.ts",
      "exercises/ex02-framing/framing.ts",
      "notebooks/02-pipes.ipynb",
    ]);
  });
});

describe("verifyRelease", () => {
  it("passes a clean release", () => {
    write("bundle/lib/a.ts", 'import { b } from "./b";\nexport const a = b;\n');
    write("bundle/lib/b.ts", "export const b = 1;\n");
    const secret = write("secret/solution.ts", "export const answer = 42;\n");
    expect(
      verifyRelease(path.join(tmp, "bundle"), { forbiddenPaths: [], secretFiles: [secret] }),
    ).toEqual([]);
  });

  it("reports a secret under another name, a forbidden path, a missing import and outputs", () => {
    const secret = write("secret/solution.ts", "export const answer = 42;\n");
    write("bundle/exercises/renamed.ts", "export const answer = 42;\n");
    write("bundle/autograder/hidden/x.test.ts", "// hidden\n");
    write("bundle/lib/a.ts", 'import { gone } from "../formats/gone";\n');
    write(
      "bundle/notebooks/n.ipynb",
      JSON.stringify({ cells: [{ cell_type: "code", execution_count: 1, outputs: [] }] }),
    );
    const problems = verifyRelease(path.join(tmp, "bundle"), {
      forbiddenPaths: ["autograder/hidden/"],
      secretFiles: [secret],
    });
    expect(problems.sort()).toEqual([
      "autograder/hidden/x.test.ts: under autograder/hidden/, which must not be released",
      `exercises/renamed.ts: same content as the secret file ${secret}`,
      "lib/a.ts: imports ../formats/gone, which is not in the release",
      "notebooks/n.ipynb: 1 code cells still hold outputs",
    ]);
  });
});

/** The entries of a zip archive, read back through its central directory. */
function readZip(bytes: Buffer): { name: string; mode: number; data: Buffer }[] {
  const end = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = bytes.readUInt16LE(end + 10);
  let at = bytes.readUInt32LE(end + 16);
  const entries: { name: string; mode: number; data: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    expect(bytes.readUInt32LE(at)).toBe(0x02014b50);
    const crc = bytes.readUInt32LE(at + 16);
    const size = bytes.readUInt32LE(at + 20);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extra = bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
    const mode = (bytes.readUInt32LE(at + 38) >>> 16) & 0o777;
    const local = bytes.readUInt32LE(at + 42);
    const name = bytes.toString("utf8", at + 46, at + 46 + nameLength);
    const dataAt = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    const data = zlib.inflateRawSync(bytes.subarray(dataAt, dataAt + size));
    expect({ name, crc: crc32(data) }).toEqual({ name, crc });
    entries.push({ name, mode, data });
    at += 46 + nameLength + extra;
  }
  return entries;
}

describe("zipBytes", () => {
  it("computes the CRC-32 of the standard check string", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
  });

  it("round-trips names, contents and Unix modes, and `unzip -t` accepts it", () => {
    const entries = [
      { name: "run_autograder", data: Buffer.from("#!/usr/bin/env bash\necho hi\n"), mode: 0o755 },
      { name: "autograder/lib/ünïcode.ts", data: Buffer.alloc(100_000, "ab"), mode: 0o644 },
      { name: "empty.txt", data: Buffer.alloc(0), mode: 0o644 },
    ];
    const bytes = zipBytes(entries);
    expect(readZip(bytes)).toEqual(entries);
    expect(zipBytes(entries).equals(bytes)).toBe(true);
    // An independent reader, where the machine has one.
    const unzip = spawnSync("unzip", ["-tq", write("a.zip", bytes)], { encoding: "utf8" });
    if (!unzip.error) expect(unzip.stdout).toMatch(/No errors detected/);
  });
});

describe("the Gradescope submission placer", () => {
  const submitted = [
    "repo/exercises/ex02-framing/framing.ts",
    "ex03-prime-sieve/prime-sieve.ts",
    "deep/down/ex03-prime-sieve/sieve-stage.ts",
    "messages.ts",
    "notes/framing.ts",
  ];

  it("prefers exercises/<slug>/<file>, then <slug>/<file> at any depth", () => {
    expect(
      locate(
        ["exercises/ex02-framing/framing.ts", ...submitted],
        "ex02-framing",
        "framing.ts",
        true,
      ),
    ).toBe("exercises/ex02-framing/framing.ts");
    expect(locate(submitted, "ex02-framing", "framing.ts", true)).toBe(
      "repo/exercises/ex02-framing/framing.ts",
    );
    expect(locate(submitted, "ex03-prime-sieve", "prime-sieve.ts", true)).toBe(
      "ex03-prime-sieve/prime-sieve.ts",
    );
    expect(locate(submitted, "ex03-prime-sieve", "sieve-stage.ts", true)).toBe(
      "deep/down/ex03-prime-sieve/sieve-stage.ts",
    );
  });

  it("takes a loose file only when its name is unique among starters and submitted once", () => {
    expect(locate(submitted, "ex03-prime-sieve", "messages.ts", true)).toBe("messages.ts");
    expect(locate(submitted, "ex01-ping-pong", "messages.ts", false)).toBeUndefined();
    expect(locate(["a/x.ts", "b/x.ts"], "ex09-demo", "x.ts", true)).toBeUndefined();
  });
});
