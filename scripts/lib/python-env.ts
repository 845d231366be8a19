import * as fs from "node:fs";
import {
  findJupyterCommand,
  findOnPath,
  projectRoot,
  requirementsFile,
  venvDir,
  venvExecutable,
} from "./jupyter-env";
import { runProcess } from "./run-process";

/** Raised when Python 3 with venv support is missing; the message says what to install. */
export class PythonMissingError extends Error {
  override readonly name = "PythonMissingError";
}

/** Where a log line goes; scripts pass console.log, tests a quiet function. */
export type Log = (line: string) => void;

/**
 * What to install to get Python 3 with the venv module, for this platform.
 *
 * @example howToInstallPython() // "sudo apt-get install python3 python3-venv" on Debian
 */
export function howToInstallPython(): string {
  if (process.platform === "darwin") {
    return "brew install python@3.11 (or the installer from https://www.python.org/downloads/)";
  }
  if (process.platform === "win32") return "winget install Python.Python.3.11";
  if (fs.existsSync("/etc/debian_version")) return "sudo apt-get install python3 python3-venv";
  if (fs.existsSync("/etc/fedora-release")) return "sudo dnf install python3";
  return "Python 3.9 or later with the venv module, from your package manager";
}

/**
 * The `pkg==version` pins of requirements.txt that the venv does not satisfy (missing or
 * another version); empty when the venv has them all. Everything is missing without a venv.
 */
export async function unmetRequirements(): Promise<string[]> {
  const pins = fs
    .readFileSync(requirementsFile, "utf8")
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter((line) => line.includes("=="));
  const python = venvExecutable("python");
  if (!python) return pins;
  const script = [
    "import sys, importlib.metadata as m",
    "for pin in sys.argv[1:]:",
    "    name, version = pin.split('==')",
    "    try: ok = m.version(name) == version",
    "    except m.PackageNotFoundError: ok = False",
    "    ok or print(pin)",
  ].join("\n");
  const { code, stdout } = await runProcess(python, ["-c", script, ...pins], { timeoutMs: 30_000 });
  if (code !== 0) return pins;
  return stdout.split("\n").filter(Boolean);
}

/**
 * Makes `.venv` hold the pinned requirements: creates it with `python3 -m venv` when missing,
 * then runs `pip install -r requirements.txt` if any pin is unmet (about 30 s the first time).
 * Rejects with {@link PythonMissingError} when no Python 3 with venv support is found, and
 * with an Error naming the command when a step fails. Resolves at once when all is in place.
 */
export async function ensureVenv(log: Log): Promise<void> {
  if (!venvExecutable("python")) {
    const python = await findPythonWithVenv();
    log(`Creating the Python virtual environment: ${python} -m venv .venv`);
    await mustRun(python, ["-m", "venv", venvDir], log);
  }
  const unmet = await unmetRequirements();
  if (unmet.length === 0) return;
  const pip = venvExecutable("pip");
  if (!pip) throw new Error(`${venvDir} has no pip: delete .venv and run npm run jupyter:setup`);
  log(`Installing into .venv (${unmet.join(", ")}): pip install -r requirements.txt`);
  await mustRun(pip, ["install", "--retries", "0", "-r", requirementsFile], log);
}

/**
 * `npm run jupyter:setup`: makes sure JupyterLab is available and resolves with the path of
 * `jupyter-lab`. Uses the project's `.venv` when it exists (installing missing requirements);
 * else a `jupyter-lab` already on PATH; else creates `.venv` (see {@link ensureVenv}).
 */
export async function ensureJupyterLab(log: Log): Promise<string> {
  const onPath = findOnPath("jupyter-lab");
  if (!fs.existsSync(venvDir) && onPath) return onPath;
  await ensureVenv(log);
  const lab = findJupyterCommand("jupyter-lab");
  if (!lab) throw new Error("pip finished but .venv has no jupyter-lab: see the output above");
  return lab;
}

/**
 * A Python interpreter that can import nbclient, for running notebooks headless: the venv's
 * (installing what it lacks) when `.venv` exists; else Debian's /usr/bin/python3 when its
 * python3-nbclient is installed; else a new `.venv` from {@link ensureVenv}.
 */
export async function findNbclientPython(log: Log): Promise<string> {
  if (!fs.existsSync(venvDir)) {
    const system = "/usr/bin/python3";
    if (fs.existsSync(system)) {
      const { code } = await runProcess(system, ["-c", "import nbclient, nbformat"], {
        timeoutMs: 30_000,
      });
      if (code === 0) return system;
    }
  }
  await ensureVenv(log);
  const python = venvExecutable("python");
  if (!python) throw new Error(`${venvDir} has no python after setup`);
  return python;
}

async function findPythonWithVenv(): Promise<string> {
  for (const name of ["python3", "python"]) {
    const python = findOnPath(name);
    if (!python) continue;
    // Debian's python3 has the venv module but not ensurepip until python3-venv is installed.
    const check = "import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 9))";
    const { code } = await runProcess(python, ["-c", check], { timeoutMs: 30_000 });
    if (code === 0) return python;
  }
  throw new PythonMissingError(
    `Python 3 with the venv module is needed for Jupyter. Install it: ${howToInstallPython()}`,
  );
}

async function mustRun(command: string, args: string[], log: Log): Promise<void> {
  const { code, stdout, stderr, spawnError } = await runProcess(command, args, {
    cwd: projectRoot,
  });
  if (code === 0) return;
  log(stdout + stderr);
  throw new Error(`${command} ${args.join(" ")} failed: ${spawnError?.message ?? `exit ${code}`}`);
}
