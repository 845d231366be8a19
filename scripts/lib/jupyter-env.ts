import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runProcess } from "./run-process";

/** The root of this checkout (the folder holding package.json and node_modules). */
export const projectRoot = path.resolve(__dirname, "..", "..");

/** The project's Python virtual environment, created by `npm run jupyter:setup`. */
export const venvDir = path.join(projectRoot, ".venv");

/** The pinned Python requirements installed into {@link venvDir}. */
export const requirementsFile = path.join(projectRoot, "requirements.txt");

/** The folder of the course notebooks; also the kernel's working directory when they run. */
export const notebooksDir = path.join(projectRoot, "notebooks");

/**
 * Path of an executable inside the project's venv (`.venv/bin/<name>`), or undefined when the
 * venv has no such file.
 *
 * @example venvExecutable("jupyter-lab") // "/work/main/.venv/bin/jupyter-lab" once set up
 */
export function venvExecutable(name: string): string | undefined {
  const candidate =
    process.platform === "win32"
      ? path.join(venvDir, "Scripts", `${name}.exe`)
      : path.join(venvDir, "bin", name);
  return isExecutable(candidate) ? candidate : undefined;
}

/**
 * Searches PATH for an executable, like `command -v`; undefined when it is not there.
 *
 * @example findOnPath("python3") // "/usr/bin/python3"
 */
export function findOnPath(name: string): string | undefined {
  const extensions = process.platform === "win32" ? [".exe", ".cmd", ""] : [""];
  for (const dir of (process.env["PATH"] ?? "").split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of extensions) {
      const candidate = path.join(dir, name + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Finds a Jupyter command (`jupyter`, `jupyter-lab`, ...): the project's venv first, because
 * it holds the pinned versions, then PATH. Undefined when neither has it.
 */
export function findJupyterCommand(name: "jupyter" | "jupyter-lab"): string | undefined {
  return venvExecutable(name) ?? findOnPath(name);
}

/**
 * The Jupyter data directory that kernelspecs are installed under (`<dir>/kernels/<name>`):
 * `$JUPYTER_DATA_DIR` when set; else what `jupyter --data-dir` answers when Jupyter is found;
 * else the platform default (~/.local/share/jupyter on Linux, ~/Library/Jupyter on macOS,
 * %APPDATA%\jupyter on Windows). Works without Python.
 */
export async function jupyterDataDir(): Promise<string> {
  const fromEnv = process.env["JUPYTER_DATA_DIR"];
  if (fromEnv) return path.resolve(fromEnv);
  const jupyter = findJupyterCommand("jupyter");
  if (jupyter) {
    const { code, stdout } = await runProcess(jupyter, ["--data-dir"], { timeoutMs: 20_000 });
    const dir = stdout.trim();
    if (code === 0 && dir) return dir;
  }
  return platformDefaultDataDir();
}

/** Jupyter's default user data directory on this platform, as jupyter_core computes it. */
export function platformDefaultDataDir(): string {
  const home = os.homedir();
  if (process.platform === "darwin") return path.join(home, "Library", "Jupyter");
  if (process.platform === "win32") {
    return path.join(process.env["APPDATA"] ?? path.join(home, "AppData", "Roaming"), "jupyter");
  }
  const xdgData = process.env["XDG_DATA_HOME"];
  return path.join(xdgData ? xdgData : path.join(home, ".local", "share"), "jupyter");
}

/** Absolute path of tsx's CommonJS hook, for `node --require <it>` (kernel, workers). */
export function tsxCjsPath(): string {
  return require.resolve("tsx/cjs", { paths: [projectRoot] });
}

/** Absolute path of tslab's command-line entry point (`node_modules/tslab/bin/tslab`). */
export function tslabBinPath(): string {
  const tslabDir = path.dirname(require.resolve("tslab/package.json", { paths: [projectRoot] }));
  return path.join(tslabDir, "bin", "tslab");
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
