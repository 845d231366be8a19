// `npm start [-- extra jupyter lab options]`: registers the kernel, makes sure JupyterLab is
// installed, then runs JupyterLab on 127.0.0.1 rooted at the project (charts load plotly.js
// from /files/node_modules/...), opening the welcome notebook.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { notebooksDir, projectRoot } from "./lib/jupyter-env";
import { installKernelSpec } from "./lib/kernelspec";
import { ensureJupyterLab, PythonMissingError } from "./lib/python-env";

const welcome = path.join(notebooksDir, "00-welcome.ipynb");

async function main(): Promise<void> {
  const { specDir } = await installKernelSpec();
  console.log(`Kernel ipc-course: ${specDir}`);
  const lab = await ensureJupyterLab(console.log);
  const args = ["--ip=127.0.0.1", `--ServerApp.root_dir=${projectRoot}`];
  if (fs.existsSync(welcome)) args.push(path.relative(projectRoot, welcome));
  // Jupyter refuses to run as root without this flag; root is the norm in workshop containers.
  if (process.getuid?.() === 0) args.push("--allow-root");
  args.push(...process.argv.slice(2));
  console.log(`Starting ${lab} ${args.join(" ")}  (Ctrl-C to stop)`);

  const child = spawn(lab, args, { cwd: projectRoot, stdio: ["inherit", "inherit", "pipe"] });
  // Jupyter logs its URL (with the token) on stderr among other lines: repeat it plainly.
  let announced = false;
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    process.stderr.write(chunk);
    const url = /https?:\/\/127\.0\.0\.1:\d+\/lab\S*\?token=\w+/.exec(chunk)?.[0];
    if (url && !announced) {
      announced = true;
      console.log(`\nJupyterLab is running. Open: ${url}\n`);
    }
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("error", (error) => {
    console.error(`Could not start ${lab}: ${error.message}`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main().catch((error: unknown) => {
  console.error(error instanceof PythonMissingError ? error.message : error);
  process.exit(1);
});
