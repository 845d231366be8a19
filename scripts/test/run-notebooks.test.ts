import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { resolveNotebooks, runNotebooks, type NotebookResult } from "../lib/notebook-runner";
import { ensureVenv } from "../lib/python-env";

// Each notebook starts its own tslab kernel (5-10 s on 2 cores), so the set is kept small.
jest.setTimeout(240_000);

interface TestCell {
  source: string;
  tags?: string[];
}

/** Writes an nbformat 4.5 notebook for the ipc-course kernel and returns its path. */
function writeNotebook(dir: string, name: string, cells: TestCell[]): string {
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        name: "ipc-course",
        display_name: "TypeScript (IPC course)",
        language: "typescript",
      },
      language_info: { name: "typescript" },
    },
    cells: [
      { cell_type: "markdown", id: "intro", metadata: {}, source: `# ${name}` },
      ...cells.map((cell, i) => ({
        cell_type: "code",
        id: `cell-${i}`,
        metadata: cell.tags ? { tags: cell.tags } : {},
        execution_count: null,
        outputs: [],
        source: cell.source,
      })),
    ],
  };
  const file = path.join(dir, `${name}.ipynb`);
  fs.writeFileSync(file, JSON.stringify(notebook, null, 1));
  return file;
}

describe("resolveNotebooks", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-course-names-"));
  const welcome = writeNotebook(dir, "00-welcome", []);
  const pipes = writeNotebook(dir, "02-pipes", []);
  writeNotebook(dir, "scratch", []);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("takes every NN-*.ipynb in order when no name is given", () => {
    expect(resolveNotebooks([], dir)).toEqual([welcome, pipes]);
  });

  it("accepts a number, a stem, a file name and a path", () => {
    expect(resolveNotebooks(["02", "00-welcome", "02-pipes.ipynb", welcome], dir)).toEqual([
      pipes,
      welcome,
      pipes,
      welcome,
    ]);
  });

  it("names the notebooks there are when a name matches none", () => {
    expect(() => resolveNotebooks(["07"], dir)).toThrow(/"07".*00-welcome.ipynb, 02-pipes.ipynb/);
  });
});

describe("runNotebooks on the ipc-course kernel", () => {
  const savedDataDir = process.env["JUPYTER_DATA_DIR"];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-course-jupyter-data-"));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-course-notebooks-"));
  const saveDir = path.join(dir, "executed");
  const lines: string[] = [];
  let results: NotebookResult[] = [];

  const passing = writeNotebook(dir, "passing", [
    { source: 'import * as os from "os";\nconsole.log("cpus:", os.cpus().length > 0);' },
    { source: "const answer: number = 6 * 7;\nanswer" },
  ]);
  const typeError = writeNotebook(dir, "type-error", [
    { source: 'console.log("before");' },
    { source: 'const n: number = "not a number";' },
    { source: 'console.log("never reached");' },
  ]);
  const throwing = writeNotebook(dir, "throwing", [
    { source: 'throw new Error("expected pitfall");', tags: ["raises-exception"] },
    { source: '// runs right after an allowed error\nthrow new Error("boom");' },
  ]);
  const originals = new Map(
    [passing, typeError, throwing].map((file) => [file, fs.readFileSync(file, "utf8")]),
  );

  beforeAll(async () => {
    // The same setup as npm start: creates .venv from requirements.txt where it is missing.
    await ensureVenv((line) => console.log(line));
    process.env["JUPYTER_DATA_DIR"] = dataDir; // the kernelspec goes into a throwaway folder
    results = await runNotebooks([passing, typeError, throwing], {
      saveDir,
      log: (line) => lines.push(line),
    });
  });

  afterAll(() => {
    if (savedDataDir === undefined) delete process.env["JUPYTER_DATA_DIR"];
    else process.env["JUPYTER_DATA_DIR"] = savedDataDir;
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const resultFor = (file: string) => results.find((result) => result.notebook === file);

  it("passes a notebook whose cells print and evaluate without error", () => {
    expect(resultFor(passing)).toMatchObject({ ok: true, cells: 2 });
    const executed = JSON.parse(fs.readFileSync(path.join(saveDir, "passing.ipynb"), "utf8")) as {
      cells: { outputs?: { name?: string; text?: string | string[] }[] }[];
    };
    const stdout = executed.cells.flatMap((cell) => cell.outputs ?? []).map((o) => o.text);
    // tslab prints a cell's last expression on stdout rather than as an execute_result.
    expect(stdout.flat().join("")).toBe("cpus: true\n42\n");
  });

  it("fails a TypeScript type error (reported on stderr) naming the cell", () => {
    expect(resultFor(typeError)).toMatchObject({
      ok: false,
      cells: 2,
      failure: { cell: 3, first_line: 'const n: number = "not a number";', kind: "error" },
    });
    expect(resultFor(typeError)?.failure?.message).toContain("is not assignable to type 'number'");
    expect(lines.join("\n")).toContain(
      'FAIL type-error.ipynb at cell 3 `const n: number = "not a number";`: error',
    );
  });

  it("allows a raises-exception cell and fails the thrown error in the next cell", () => {
    expect(resultFor(throwing)).toMatchObject({
      ok: false,
      cells: 2,
      failure: { cell: 3, first_line: "// runs right after an allowed error", kind: "error" },
    });
    expect(resultFor(throwing)?.failure?.message).toContain("Error: boom");
  });

  it("never writes outputs into the notebooks it runs", () => {
    for (const [file, content] of originals) expect(fs.readFileSync(file, "utf8")).toBe(content);
  });

  it("leaves no kernel running", () => {
    if (process.platform !== "linux") return;
    // The kernel inherits JUPYTER_DATA_DIR from the runner: a kernel (or anything it started)
    // still alive would carry this test's dataDir in its environment.
    const marker = `JUPYTER_DATA_DIR=${dataDir}\0`;
    const leftovers = fs
      .readdirSync("/proc")
      .filter((pid) => /^\d+$/.test(pid) && pid !== String(process.pid))
      .filter((pid) => {
        try {
          return fs.readFileSync(`/proc/${pid}/environ`, "utf8").includes(marker);
        } catch {
          return false; // the process ended while we looked, or is not ours to read
        }
      });
    expect(leftovers).toEqual([]);
  });
});
