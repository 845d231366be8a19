/**
 * Worker thread of `type-check.ts`: type-checks submissions with the TypeScript compiler API
 * under the project's strict settings. Files outside the submission (kernel-lib, Node's and
 * TypeScript's declarations) are parsed and bound once and reused for every later submission,
 * so a check costs about what the submission's own files cost.
 */
import * as path from "node:path";
import { parentPort } from "node:worker_threads";
import * as ts from "typescript";
import type { TypeCheckReply, TypeCheckRequest } from "./type-check";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

function projectOptions(): ts.CompilerOptions {
  const configFile = path.join(REPO_ROOT, "tsconfig.json");
  const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, REPO_ROOT, undefined, configFile);
  // Unused variables and parameters are style, not errors that should cost an exercise.
  return { ...parsed.options, noEmit: true, noUnusedLocals: false, noUnusedParameters: false };
}

const options = projectOptions();
const host = ts.createCompilerHost(options, true);
const shared = new Map<string, ts.SourceFile>();
const readSourceFile = host.getSourceFile.bind(host);

/** Whether `file` belongs to a submission (never cached: each submission has its own). */
let isSubmissionFile: (file: string) => boolean = () => false;

host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
  if (isSubmissionFile(fileName))
    return readSourceFile(fileName, languageVersion, onError, shouldCreate);
  let file = shared.get(fileName);
  if (!file) {
    file = readSourceFile(fileName, languageVersion, onError, shouldCreate);
    if (file) shared.set(fileName, file);
  }
  return file;
};

function check(request: TypeCheckRequest): TypeCheckReply {
  const root = path.resolve(request.rootDir);
  isSubmissionFile = (file) => path.resolve(file).startsWith(root + path.sep);
  const program = ts.createProgram(request.files, options, host);
  const formatHost: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => root,
    getNewLine: () => "\n",
  };
  const diagnostics: TypeCheckReply["diagnostics"] = [];
  for (const diagnostic of program.getOptionsDiagnostics()) {
    diagnostics.push({ file: "", text: ts.formatDiagnostic(diagnostic, formatHost).trim() });
  }
  for (const file of request.files) {
    const source = program.getSourceFile(file);
    if (!source) continue;
    const found = [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ];
    for (const diagnostic of found) {
      diagnostics.push({ file, text: ts.formatDiagnostic(diagnostic, formatHost).trim() });
    }
  }
  return { id: request.id, diagnostics };
}

parentPort?.on("message", (request: TypeCheckRequest) => {
  try {
    parentPort?.postMessage(check(request));
  } catch (err) {
    parentPort?.postMessage({ id: request.id, diagnostics: [], error: String(err) });
  }
});
