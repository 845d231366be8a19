/**
 * The exported API of TypeScript files, as text, read with the TypeScript compiler API: what
 * `npm run release` and the drift self-test compare between each starter and its reference
 * solution, so that the tests written against one always fit the other.
 */
import * as path from "node:path";
import ts from "typescript";

/** Export name → its description, e.g. "function: (n: number) => Promise<SieveRun>". */
export type ExportedApi = Map<string, string>;

/** One difference between two files' exported APIs. */
export interface ApiDifference {
  name: string;
  /** The description in the first file, or undefined when it does not export the name. */
  left: string | undefined;
  right: string | undefined;
}

// Not UseFullyQualifiedType: it would print each file's own path into the types it names.
const FORMAT = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.WriteArrowStyleSignature;

/**
 * The exported API of each of `files` (absolute paths), compiled together with the compiler
 * options of `tsconfigPath`. Type errors do not matter here; only the declared shapes do.
 */
export function readExportedApis(
  files: readonly string[],
  tsconfigPath: string,
): Map<string, ExportedApi> {
  const config = ts.readConfigFile(tsconfigPath, (f) => ts.sys.readFile(f));
  if (config.error)
    throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, "\n"));
  const { options } = ts.parseJsonConfigFileContent(
    config.config,
    ts.sys,
    path.dirname(tsconfigPath),
  );
  const program = ts.createProgram(files, { ...options, noEmit: true });
  const checker = program.getTypeChecker();
  const apis = new Map<string, ExportedApi>();
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`TypeScript could not read ${file}`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    const api: ExportedApi = new Map();
    for (const symbol of moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []) {
      api.set(symbol.name, describeSymbol(checker, symbol, source));
    }
    apis.set(file, api);
  }
  return apis;
}

/** The names whose descriptions differ between `left` and `right` (or that only one has). */
export function diffApis(left: ExportedApi, right: ExportedApi): ApiDifference[] {
  const names = [...new Set([...left.keys(), ...right.keys()])].sort();
  return names
    .map((name) => ({ name, left: left.get(name), right: right.get(name) }))
    .filter((d) => d.left !== d.right);
}

/**
 * A symbol as text: its kinds, then its type. Interfaces, classes and aliases are spelt out
 * member by member (public members only: a solution's private fields are its own business),
 * because the type checker prints them by name alone and a name says nothing about drift.
 */
function describeSymbol(checker: ts.TypeChecker, exported: ts.Symbol, at: ts.Node): string {
  const symbol =
    exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const parts: string[] = [];
  const flags = symbol.flags;
  if (flags & ts.SymbolFlags.Class) {
    const instance = checker.getDeclaredTypeOfSymbol(symbol);
    const statics = checker.getTypeOfSymbolAtLocation(symbol, at);
    const constructors = statics
      .getConstructSignatures()
      .map((s) => checker.signatureToString(s, undefined, FORMAT));
    parts.push(`class new ${constructors.join(" | ")} ${members(checker, instance, at)}`);
  } else if (flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias)) {
    const declared = checker.getDeclaredTypeOfSymbol(symbol);
    const shape = declared.isUnion()
      ? checker.typeToString(declared, undefined, FORMAT | ts.TypeFormatFlags.InTypeAlias)
      : `${checker.typeToString(declared, undefined, FORMAT | ts.TypeFormatFlags.InTypeAlias)} ${members(checker, declared, at)}`;
    parts.push(`${flags & ts.SymbolFlags.Interface ? "interface" : "type"} ${shape}`);
  }
  if (flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Variable | ts.SymbolFlags.Enum)) {
    const kind = flags & ts.SymbolFlags.Function ? "function" : "value";
    const type = checker.getTypeOfSymbolAtLocation(symbol, at);
    parts.push(`${kind}: ${checker.typeToString(type, undefined, FORMAT)}`);
  }
  return parts.length > 0 ? parts.join("; ") : `symbol flags ${flags}`;
}

/** `{ name: type; ... }` of the public properties and methods of `type`, sorted by name. */
function members(checker: ts.TypeChecker, type: ts.Type, at: ts.Node): string {
  const entries = checker
    .getPropertiesOfType(type)
    .filter((p) => !isNonPublic(p))
    .map((p) => {
      const optional = p.flags & ts.SymbolFlags.Optional ? "?" : "";
      const readonly = isReadonly(p) ? "readonly " : "";
      const t = checker.typeToString(checker.getTypeOfSymbolAtLocation(p, at), undefined, FORMAT);
      return `${readonly}${p.name}${optional}: ${t}`;
    })
    .sort();
  return `{ ${entries.join("; ")} }`;
}

function modifiersOf(symbol: ts.Symbol): ts.ModifierFlags {
  const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
  return declaration ? ts.getCombinedModifierFlags(declaration) : ts.ModifierFlags.None;
}

function isNonPublic(symbol: ts.Symbol): boolean {
  if (symbol.name.startsWith("#")) return true;
  return (modifiersOf(symbol) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0;
}

function isReadonly(symbol: ts.Symbol): boolean {
  return (modifiersOf(symbol) & ts.ModifierFlags.Readonly) !== 0;
}
