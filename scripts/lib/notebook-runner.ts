import * as fs from "node:fs";
import * as path from "node:path";
import { notebooksDir } from "./jupyter-env";
import { installKernelSpec, kernelName } from "./kernelspec";
import { findNbclientPython, type Log } from "./python-env";
import { runProcess } from "./run-process";

const helperScript = path.join(__dirname, "..", "run_notebook.py");

/** The first cell that failed in a notebook, as scripts/run_notebook.py reports it. */
export interface CellFailure {
  /** 1-based position of the cell in the notebook, markdown cells included; 0 if none ran. */
  cell: number;
  /** The first non-blank line of the cell's source. */
  first_line: string;
  kind: "error" | "stderr" | "timeout" | "dead-kernel" | "kernel";
  message: string;
}

/** The outcome of one notebook run. */
export interface NotebookResult {
  notebook: string;
  ok: boolean;
  /** Code cells executed. */
  cells: number;
  seconds: number;
  failure?: CellFailure;
}

/** Options for {@link runNotebooks}. */
export interface RunNotebooksOptions {
  /** Seconds each cell may take. Default 120. */
  cellTimeoutS?: number;
  /** Save each executed copy as `<saveDir>/<name>.ipynb` (the original is never written). */
  saveDir?: string;
  /** Progress lines; default console.log. */
  log?: Log;
}

/**
 * Turns command-line names into notebook files: no names means every `notebooks/NN-*.ipynb` in
 * order; a name may be a number (`00`), a stem (`00-welcome`), a file name or a path. Throws
 * an Error listing the notebooks when a name matches none.
 *
 * @example resolveNotebooks(["01"]) // ["/work/main/notebooks/01-message-passing.ipynb"]
 */
export function resolveNotebooks(names: readonly string[], dir: string = notebooksDir): string[] {
  const course = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((file) => /^\d\d-.*\.ipynb$/.test(file))
        .sort()
        .map((file) => path.join(dir, file))
    : [];
  if (names.length === 0) return course;
  return names.map((name) => {
    if (name.endsWith(".ipynb") && fs.existsSync(name)) return path.resolve(name);
    const stem = path.basename(name, ".ipynb");
    const found = course.filter((file) => {
      const base = path.basename(file, ".ipynb");
      return base === stem || base.startsWith(`${stem}-`);
    });
    if (found.length === 1 && found[0]) return found[0];
    const known = course.map((file) => path.basename(file)).join(", ") || "none";
    throw new Error(`No single notebook matches "${name}" (notebooks: ${known})`);
  });
}

/**
 * Executes notebooks one after the other on the `ipc-course` kernel through nbclient (see
 * scripts/run_notebook.py), each in its own kernel started in the notebook's folder. Installs
 * the kernelspec first and sets up Python where nbclient is missing. A notebook fails at its
 * first cell that errors or writes to stderr; the others still run. Resolves with one result
 * per notebook; rejects only when the environment cannot be prepared.
 *
 * @example
 *   const results = await runNotebooks(resolveNotebooks(["00"]));
 */
export async function runNotebooks(
  notebooks: readonly string[],
  options: RunNotebooksOptions = {},
): Promise<NotebookResult[]> {
  const log = options.log ?? console.log;
  const { dataDir } = await installKernelSpec();
  const python = await findNbclientPython(log);
  // JUPYTER_PATH is searched before every other kernelspec location, so the Python side finds
  // this checkout's spec even where its own idea of the data directory differs.
  const jupyterPath = [dataDir, process.env["JUPYTER_PATH"]].filter(Boolean).join(path.delimiter);
  const env = { ...process.env, JUPYTER_PATH: jupyterPath, PYTHONUNBUFFERED: "1" };
  const results: NotebookResult[] = [];
  for (const notebook of notebooks) {
    const args = [helperScript, notebook, "--kernel", kernelName];
    args.push("--timeout", String(options.cellTimeoutS ?? 120));
    if (options.saveDir) args.push("--save", path.join(options.saveDir, path.basename(notebook)));
    const started = Date.now();
    const run = await runProcess(python, args, { env, cwd: path.dirname(notebook) });
    const seconds = (Date.now() - started) / 1000;
    const result = parseHelperOutput(notebook, seconds, run.stdout, run.stderr);
    log(formatResult(result));
    results.push(result);
  }
  return results;
}

/** One line (plus the error text on failure) describing a notebook result, for the console. */
export function formatResult(result: NotebookResult): string {
  const name = path.basename(result.notebook);
  const time = `${result.seconds.toFixed(1)} s`;
  if (result.ok) return `PASS ${name} (${result.cells} code cells, ${time})`;
  const failure = result.failure;
  if (!failure) return `FAIL ${name} (${time})`;
  const where = failure.cell > 0 ? `cell ${failure.cell} \`${failure.first_line}\`` : "startup";
  return `FAIL ${name} at ${where}: ${failure.kind} (${time})\n${indent(failure.message)}`;
}

function parseHelperOutput(
  notebook: string,
  seconds: number,
  stdout: string,
  stderr: string,
): NotebookResult {
  const lastLine = stdout.trim().split("\n").pop() ?? "";
  try {
    const parsed = JSON.parse(lastLine) as { ok: boolean; cells: number; failure?: CellFailure };
    const result: NotebookResult = { notebook, ok: parsed.ok, cells: parsed.cells, seconds };
    if (parsed.failure) result.failure = parsed.failure;
    return result;
  } catch {
    const message = `run_notebook.py gave no result:\n${stdout}${stderr}`.trim();
    return {
      notebook,
      ok: false,
      cells: 0,
      seconds,
      failure: { cell: 0, first_line: "", kind: "kernel", message },
    };
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}
