import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import {
  findJupyterCommand,
  jupyterDataDir,
  notebooksDir,
  projectRoot,
  tsxCjsPath,
} from "./jupyter-env";
import { kernelName, kernelSpecDir, kernelSpecMismatches } from "./kernelspec";
import { runProcess } from "./run-process";

/** A failed pre-flight check: what is wrong and the command or step that fixes it. */
export class CheckFailed extends Error {
  override readonly name = "CheckFailed";
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

/** One workshop pre-flight check: resolves with a detail line or rejects with {@link CheckFailed}. */
export interface PreflightCheck {
  name: string;
  timeoutMs: number;
  run(): Promise<string>;
}

/** The result of {@link runCheck}. */
export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

/**
 * Runs one check within its timeout; never rejects. A timeout or an unexpected error counts as
 * a failure whose fix says to rerun with details.
 */
export async function runCheck(check: PreflightCheck): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new CheckFailed(
          `no answer within ${check.timeoutMs / 1000} s`,
          "rerun npm run doctor; report it if it hangs again",
        ),
      );
    }, check.timeoutMs);
  });
  try {
    const detail = await Promise.race([check.run(), timeout]);
    return { name: check.name, ok: true, detail };
  } catch (error) {
    const fix = error instanceof CheckFailed ? error.fix : "report this output to the course team";
    const detail = error instanceof Error ? error.message : String(error);
    return { name: check.name, ok: false, detail, fix };
  } finally {
    clearTimeout(timer);
  }
}

const nodeVersion: PreflightCheck = {
  name: "Node.js >= 20",
  timeoutMs: 1000,
  async run() {
    const major = Number(process.versions.node.split(".")[0]);
    if (major < 20) {
      throw new CheckFailed(`${process.version} is too old`, "install Node.js 20 or later");
    }
    return `${process.version} (${process.execPath})`;
  },
};

const kernelLibResolves: PreflightCheck = {
  name: "kernel-lib resolves from notebooks/",
  timeoutMs: 2000,
  async run() {
    try {
      return require.resolve("kernel-lib", { paths: [notebooksDir] });
    } catch (error) {
      throw new CheckFailed((error as Error).message.split("\n")[0] ?? "", "run npm install");
    }
  },
};

const kernelSpec: PreflightCheck = {
  name: `Jupyter kernel ${kernelName}`,
  timeoutMs: 20_000,
  async run() {
    const fix = "npm run kernel:install";
    const specDir = (await specDirJupyterUses()) ?? kernelSpecDir(await jupyterDataDir());
    const problems = kernelSpecMismatches(specDir);
    if (problems.length > 0) throw new CheckFailed(`${specDir}: ${problems.join("; ")}`, fix);
    return `${specDir} points at this checkout`;
  },
};

/** The kernelspec folder Jupyter itself resolves for ipc-course, when Jupyter is installed. */
async function specDirJupyterUses(): Promise<string | undefined> {
  const jupyter = findJupyterCommand("jupyter");
  if (!jupyter) return undefined;
  const { code, stdout } = await runProcess(jupyter, ["kernelspec", "list", "--json"], {
    timeoutMs: 15_000,
  });
  if (code !== 0) return undefined;
  const list = JSON.parse(stdout) as { kernelspecs: Record<string, { resource_dir: string }> };
  return list.kernelspecs[kernelName]?.resource_dir;
}

const zeromqLoads: PreflightCheck = {
  name: "zeromq loads",
  timeoutMs: 5000,
  async run() {
    try {
      // Loaded as the kernel loads it: resolved from the project root.
      const requireFromRoot = createRequire(path.join(projectRoot, "package.json"));
      const zmq = requireFromRoot("zeromq") as { version: string };
      const pkg = requireFromRoot("zeromq/package.json") as { version: string };
      return `zeromq ${pkg.version} (libzmq ${zmq.version})`;
    } catch (error) {
      const message = (error as Error).message.split("\n")[0] ?? "";
      throw new CheckFailed(message, "npm rebuild zeromq (needs a C++ toolchain if no prebuilt)");
    }
  },
};

const typescriptWorker: PreflightCheck = {
  name: "worker thread from a .ts file",
  timeoutMs: 15_000,
  async run() {
    const entry = path.join(projectRoot, "scripts", "fixtures", "doctor-worker.ts");
    const started = Date.now();
    const worker = new Worker(entry, { execArgv: ["--require", tsxCjsPath()] });
    try {
      const reply = await new Promise<{ type: string; n: number }>((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
        worker.once("exit", (code) => reject(new Error(`worker exited with ${code} first`)));
        worker.postMessage({ type: "ping", n: 41 });
      });
      if (reply.type !== "pong" || reply.n !== 42) {
        throw new Error(`expected {type: "pong", n: 42}, got ${JSON.stringify(reply)}`);
      }
      return `pong in ${Date.now() - started} ms`;
    } catch (error) {
      throw new CheckFailed((error as Error).message, "run npm install (tsx must be installed)");
    } finally {
      await worker.terminate();
    }
  },
};

const jupyterFound: PreflightCheck = {
  name: "JupyterLab",
  timeoutMs: 30_000,
  async run() {
    const fix = "npm run jupyter:setup";
    const lab = findJupyterCommand("jupyter-lab");
    if (!lab) throw new CheckFailed("no jupyter-lab in .venv or on PATH", fix);
    const { code, stdout, stderr } = await runProcess(lab, ["--version"], { timeoutMs: 25_000 });
    if (code !== 0) throw new CheckFailed(`${lab} --version failed: ${stderr.trim()}`, fix);
    return `${stdout.trim()} (${lab})`;
  },
};

const tempDirWritable: PreflightCheck = {
  name: "temp dir writable",
  timeoutMs: 5000,
  async run() {
    try {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-course-doctor-"));
      fs.writeFileSync(path.join(dir, "probe"), "ok");
      fs.rmSync(dir, { recursive: true });
      return os.tmpdir();
    } catch (error) {
      throw new CheckFailed((error as Error).message, "point TMPDIR at a writable folder");
    }
  },
};

/** The checks `npm run doctor` runs, in order. */
export const preflightChecks: readonly PreflightCheck[] = [
  nodeVersion,
  kernelLibResolves,
  kernelSpec,
  zeromqLoads,
  typescriptWorker,
  jupyterFound,
  tempDirWritable,
];
