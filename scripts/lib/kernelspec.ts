import * as fs from "node:fs";
import * as path from "node:path";
import { jupyterDataDir, tslabBinPath, tsxCjsPath } from "./jupyter-env";

/** The kernelspec name notebooks ask for in `metadata.kernelspec.name`. */
export const kernelName = "ipc-course";

/** The fields of a Jupyter kernel.json that this project writes. */
export interface KernelJson {
  argv: string[];
  display_name: string;
  language: string;
}

/**
 * The kernel.json for this checkout: tslab's `tslab kernel --config-path {connection_file}`
 * (what `tslab install` writes), run by this checkout's Node with tsx preloaded so that cells
 * can import the workspace's TypeScript packages (`kernel-lib`). Worker threads and forked
 * processes started from a cell inherit the `--require` through `process.execArgv`.
 */
export function expectedKernelJson(): KernelJson {
  return {
    argv: [
      process.execPath,
      "--require",
      tsxCjsPath(),
      tslabBinPath(),
      "kernel",
      "--config-path",
      "{connection_file}",
    ],
    display_name: "TypeScript (IPC course)",
    language: "typescript",
  };
}

/** The kernelspec folder under a Jupyter data directory: `<dataDir>/kernels/ipc-course`. */
export function kernelSpecDir(dataDir: string): string {
  return path.join(dataDir, "kernels", kernelName);
}

/** What {@link installKernelSpec} did. */
export interface InstallResult {
  /** The Jupyter data directory used (put it on JUPYTER_PATH to make sure Jupyter sees it). */
  dataDir: string;
  /** The kernelspec folder holding kernel.json. */
  specDir: string;
  /** False when an identical kernel.json was already there. */
  changed: boolean;
}

/**
 * Writes the `ipc-course` kernelspec (kernel.json) under `dataDir`, by default the directory
 * {@link jupyterDataDir} picks. Idempotent: an identical kernel.json is left untouched and an
 * outdated one (another checkout or Node) is replaced. Needs no Python.
 *
 * @example
 *   const { specDir } = await installKernelSpec();
 */
export async function installKernelSpec(dataDir?: string): Promise<InstallResult> {
  const dir = dataDir ?? (await jupyterDataDir());
  const specDir = kernelSpecDir(dir);
  const file = path.join(specDir, "kernel.json");
  const content = JSON.stringify(expectedKernelJson(), null, 2) + "\n";
  const existing = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
  if (existing === content) return { dataDir: dir, specDir, changed: false };
  fs.mkdirSync(specDir, { recursive: true });
  fs.writeFileSync(file, content);
  return { dataDir: dir, specDir, changed: true };
}

/**
 * Removes the `ipc-course` kernelspec folder under `dataDir` (default: {@link jupyterDataDir}).
 * Resolves with the folder and whether anything was there; removing twice is harmless.
 */
export async function uninstallKernelSpec(
  dataDir?: string,
): Promise<{ specDir: string; removed: boolean }> {
  const specDir = kernelSpecDir(dataDir ?? (await jupyterDataDir()));
  const removed = fs.existsSync(specDir);
  fs.rmSync(specDir, { recursive: true, force: true });
  return { specDir, removed };
}

/**
 * Compares the kernel.json in `specDir` with {@link expectedKernelJson}; returns a list
 * of differences, empty when the spec points at this checkout.
 */
export function kernelSpecMismatches(specDir: string): string[] {
  const file = path.join(specDir, "kernel.json");
  if (!fs.existsSync(file)) return [`${file} does not exist`];
  let actual: Partial<KernelJson>;
  try {
    actual = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<KernelJson>;
  } catch (error) {
    return [`${file} is not valid JSON: ${String(error)}`];
  }
  const expected = expectedKernelJson();
  const problems: string[] = [];
  const got = actual.argv ?? [];
  expected.argv.forEach((arg, i) => {
    if (got[i] !== arg) problems.push(`argv[${i}] is ${JSON.stringify(got[i])}, expected ${arg}`);
  });
  if (got.length !== expected.argv.length) {
    problems.push(`argv has ${got.length} entries, expected ${expected.argv.length}`);
  }
  if (actual.language !== expected.language) problems.push(`language is ${actual.language}`);
  return problems;
}
