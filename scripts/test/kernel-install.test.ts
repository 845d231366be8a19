import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { projectRoot } from "../lib/jupyter-env";
import {
  expectedKernelJson,
  installKernelSpec,
  kernelSpecMismatches,
  uninstallKernelSpec,
} from "../lib/kernelspec";
import { runProcess } from "../lib/run-process";

let dataDir: string;
const savedDataDir = process.env["JUPYTER_DATA_DIR"];

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-course-jupyter-data-"));
  process.env["JUPYTER_DATA_DIR"] = dataDir;
});

afterEach(() => {
  if (savedDataDir === undefined) delete process.env["JUPYTER_DATA_DIR"];
  else process.env["JUPYTER_DATA_DIR"] = savedDataDir;
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const specFile = () => path.join(dataDir, "kernels", "ipc-course", "kernel.json");

describe("kernel install", () => {
  it("writes kernel.json under $JUPYTER_DATA_DIR/kernels/ipc-course running this checkout", async () => {
    const result = await installKernelSpec();

    expect(result).toEqual({
      dataDir,
      specDir: path.join(dataDir, "kernels", "ipc-course"),
      changed: true,
    });
    const spec = JSON.parse(fs.readFileSync(specFile(), "utf8")) as unknown;
    expect(spec).toEqual({
      argv: [
        process.execPath,
        "--require",
        path.join(projectRoot, "node_modules", "tsx", "dist", "cjs", "index.cjs"),
        path.join(projectRoot, "node_modules", "tslab", "bin", "tslab"),
        "kernel",
        "--config-path",
        "{connection_file}",
      ],
      display_name: "TypeScript (IPC course)",
      language: "typescript",
    });
    expect(kernelSpecMismatches(result.specDir)).toEqual([]);
  });

  it("is idempotent: a second install leaves the identical file alone", async () => {
    await installKernelSpec();
    const before = fs.statSync(specFile()).mtimeMs;

    const again = await installKernelSpec();

    expect(again.changed).toBe(false);
    expect(fs.statSync(specFile()).mtimeMs).toBe(before);
  });

  it("replaces a kernel.json that points at another checkout", async () => {
    fs.mkdirSync(path.dirname(specFile()), { recursive: true });
    const stale = { ...expectedKernelJson(), argv: ["/elsewhere/node", "tslab"] };
    fs.writeFileSync(specFile(), JSON.stringify(stale));
    expect(kernelSpecMismatches(path.dirname(specFile()))).not.toEqual([]);

    expect((await installKernelSpec()).changed).toBe(true);
    expect(kernelSpecMismatches(path.dirname(specFile()))).toEqual([]);
  });

  it("uninstall removes the folder, and a second uninstall is harmless", async () => {
    await installKernelSpec();

    expect(await uninstallKernelSpec()).toEqual({
      specDir: path.dirname(specFile()),
      removed: true,
    });
    expect(fs.existsSync(path.dirname(specFile()))).toBe(false);
    expect((await uninstallKernelSpec()).removed).toBe(false);
  });

  it("npm run kernel:install and kernel:uninstall say where they wrote", async () => {
    const tsx = path.join(projectRoot, "node_modules", "tsx", "dist", "cli.mjs");
    const script = path.join(projectRoot, "scripts", "kernel-install.ts");
    const env = { ...process.env, JUPYTER_DATA_DIR: dataDir };

    const install = await runProcess(process.execPath, [tsx, script], { env, timeoutMs: 30_000 });
    expect(install.stdout).toContain(`Installed kernel ipc-course: ${specFile()}`);
    expect(install.code).toBe(0);

    const remove = await runProcess(process.execPath, [tsx, script, "--uninstall"], {
      env,
      timeoutMs: 30_000,
    });
    expect(remove.stdout).toContain(`Removed kernel ipc-course: ${path.dirname(specFile())}`);
    expect(fs.existsSync(specFile())).toBe(false);
  }, 60_000);
});
