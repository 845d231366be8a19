// `npm run notebooks [names...] [--save-dir DIR] [--timeout SECONDS]`: executes the course
// notebooks headless on the ipc-course kernel and fails on any cell error or stderr output.
import * as path from "node:path";
import { formatResult, resolveNotebooks, runNotebooks } from "./lib/notebook-runner";

const usage =
  "usage: npm run notebooks -- [00 | 00-welcome | path.ipynb ...] [--save-dir DIR] [--timeout S]";

interface Cli {
  names: string[];
  saveDir?: string;
  cellTimeoutS?: number;
}

function parseArgs(argv: string[]): Cli {
  const cli: Cli = { names: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--save-dir" || arg === "--timeout") {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value\n${usage}`);
      if (arg === "--save-dir") cli.saveDir = path.resolve(value);
      else cli.cellTimeoutS = Number(value);
    } else if (arg.startsWith("-")) {
      throw new Error(`unknown option ${arg}\n${usage}`);
    } else {
      cli.names.push(arg);
    }
  }
  if (cli.cellTimeoutS !== undefined && !(cli.cellTimeoutS > 0)) {
    throw new Error(`--timeout takes a number of seconds\n${usage}`);
  }
  return cli;
}

async function main(): Promise<number> {
  const { names, ...options } = parseArgs(process.argv.slice(2));
  const notebooks = resolveNotebooks(names);
  if (notebooks.length === 0) {
    console.error("No notebooks/NN-*.ipynb to run");
    return 1;
  }
  const results = await runNotebooks(notebooks, options);
  const failed = results.filter((result) => !result.ok);
  if (failed.length > 0 && results.length > 1) {
    console.log(
      `\nFailed:\n${failed.map((result) => formatResult(result).split("\n")[0]).join("\n")}`,
    );
  }
  console.log(`notebooks: ${results.length - failed.length} passed, ${failed.length} failed`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Errors here are about the command line or the environment: their message says it all.
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
