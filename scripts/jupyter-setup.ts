// `npm run jupyter:setup`: makes JupyterLab available, creating .venv from requirements.txt
// where no JupyterLab is found. Exits 1 with what to install when Python 3 is missing.
import { runProcess } from "./lib/run-process";
import { ensureJupyterLab, PythonMissingError } from "./lib/python-env";

async function main(): Promise<void> {
  const lab = await ensureJupyterLab(console.log);
  const { stdout } = await runProcess(lab, ["--version"], { timeoutMs: 30_000 });
  console.log(`JupyterLab ${stdout.trim()} ready: ${lab}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof PythonMissingError ? error.message : error);
  process.exit(1);
});
