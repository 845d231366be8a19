/**
 * Guards the test environment against the code under test, which runs in the same process and
 * JavaScript realm as the graded tests (`npm run grade` only):
 * - the grader's own modules (`autograder/**`) get frozen exports, so a submission that reaches
 *   them through `module.parent` cannot swap a test helper for one that never fails;
 * - built-ins, the test framework, the Node modules the tests use and kernel-lib's exports are
 *   recorded, and {@link EnvironmentSeal.changes} lists what differs after each test, so a
 *   submission that patches `Object.is`, `Promise.prototype.then` or `fs.writeSync` to turn
 *   failures into passes is caught. Added properties count only where they change behaviour
 *   (Object.prototype, Promise.prototype, jest's matchers), so polyfills stay allowed.
 *
 * A check after each test cannot see a change made and undone within one test, nor stop code
 * that reads the process's own memory: this is cheating detection, not a security boundary
 * (that is the sandbox around the process).
 */
// Default imports: the modules themselves, which code under test patches, not the read-only
// namespace copies `import * as` makes.
import childProcess from "node:child_process";
import events from "node:events";
import fs from "node:fs";
import net from "node:net";
import * as path from "node:path";
import stream from "node:stream";

/** The environment as recorded; compare it after each test. */
export interface EnvironmentSeal {
  /** What changed since the seal ("Object.is", "expect.extend", ...); empty when nothing did. */
  changes(): string[];
}

/** Global names of the built-ins the tests and jest's `expect` rely on. */
const BUILT_INS = [
  "Object", "Function", "Array", "Number", "Boolean", "String", "Symbol", "BigInt", "Date",
  "Promise", "RegExp", "Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError",
  "EvalError", "URIError", "AggregateError", "JSON", "Math", "Reflect", "Proxy", "Map", "Set",
  "WeakMap", "WeakSet", "ArrayBuffer", "SharedArrayBuffer", "DataView", "Atomics", "Int8Array",
  "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
  "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array", "TextEncoder",
  "TextDecoder", "Buffer", "setTimeout", "clearTimeout", "setImmediate", "queueMicrotask",
]; // prettier-ignore

/** Jest's globals: replacing one changes what every later assertion does. */
export const FRAMEWORK_GLOBALS = [
  "expect", "test", "it", "describe", "beforeAll", "beforeEach", "afterAll", "afterEach",
  "fit", "xit", "xtest", "fdescribe", "xdescribe",
]; // prettier-ignore

/** Properties that change legitimately while tests run (jest tunes stack traces). */
const isIgnored = (label: string): boolean =>
  label === "Error.stackTraceLimit" || label === "Error.prepareStackTrace";

// Captured before any code under test runs, so a patched copy cannot lie about the others.
// The checks below also avoid iterators, spreads and array methods on purpose: those go
// through prototypes the code under test could have patched.
const ownKeys = Reflect.ownKeys;
const describe = Object.getOwnPropertyDescriptor;
const same = Object.is;
const getPrototype = Object.getPrototypeOf;
const freeze = Object.freeze;
const toText = String;

interface Target {
  label: string;
  object: object;
  /** Only these keys are watched (for objects that gain properties legitimately). */
  only?: readonly PropertyKey[];
  /** Report properties added since the seal too, not only changed or removed ones. */
  watchAdditions?: boolean;
}

interface Recorded {
  target: Target;
  keys: PropertyKey[];
  descriptors: (PropertyDescriptor | undefined)[];
}

function isObject(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

function keysOf(target: Target): PropertyKey[] {
  const keys: PropertyKey[] = [];
  const from = target.only ?? ownKeys(target.object);
  for (let i = 0; i < from.length; i++) keys[keys.length] = from[i] as PropertyKey;
  return keys;
}

function record(target: Target): Recorded {
  const keys = keysOf(target);
  const descriptors: (PropertyDescriptor | undefined)[] = [];
  for (let i = 0; i < keys.length; i++)
    descriptors[i] = describe(target.object, keys[i] as PropertyKey);
  return { target, keys, descriptors };
}

function sameDescriptor(a: PropertyDescriptor | undefined, b: PropertyDescriptor | undefined) {
  if (a === undefined || b === undefined) return a === b;
  return (
    same(a.value, b.value) &&
    a.get === b.get &&
    a.set === b.set &&
    a.writable === b.writable &&
    a.enumerable === b.enumerable &&
    a.configurable === b.configurable
  );
}

/** The intrinsics no global name reaches: iterator and function prototypes. */
function hiddenIntrinsics(): Target[] {
  const arrayIterator = getPrototype([][Symbol.iterator]()) as object;
  const generatorFunction = getPrototype(function* () {}) as object;
  const asyncGeneratorFunction = getPrototype(async function* () {}) as object;
  const list: [string, unknown][] = [
    ["%TypedArray%", getPrototype(Uint8Array)],
    ["%TypedArray%.prototype", getPrototype(Uint8Array.prototype)],
    ["%ArrayIteratorPrototype%", arrayIterator],
    ["%IteratorPrototype%", getPrototype(arrayIterator)],
    ["%MapIteratorPrototype%", getPrototype(new Map()[Symbol.iterator]())],
    ["%SetIteratorPrototype%", getPrototype(new Set()[Symbol.iterator]())],
    ["%StringIteratorPrototype%", getPrototype(""[Symbol.iterator]())],
    ["%AsyncFunction.prototype%", getPrototype(async function () {})],
    ["%GeneratorFunction.prototype%", generatorFunction],
    ["%GeneratorPrototype%", (generatorFunction as { prototype?: unknown }).prototype],
    ["%AsyncGeneratorFunction.prototype%", asyncGeneratorFunction],
    ["%AsyncGeneratorPrototype%", (asyncGeneratorFunction as { prototype?: unknown }).prototype],
  ];
  return list
    .filter((e): e is [string, object] => isObject(e[1]))
    .map(([label, object]) => ({
      label,
      object,
    }));
}

/** Every module reachable from `root` through `children` (jest tracks them as Node does). */
function loadedModules(root: NodeModule | null | undefined): NodeModule[] {
  const seen = new Set<NodeModule>();
  const walk = (m: NodeModule | null | undefined): void => {
    if (!m || seen.has(m)) return;
    seen.add(m);
    for (const child of m.children ?? []) walk(child);
  };
  walk(root);
  return [...seen];
}

const isInside = (file: string, dir: string): boolean =>
  file === dir || file.startsWith(dir + path.sep);

/**
 * Freezes the exports of the grader's modules and records the rest of the environment. Call
 * once, after the test file and its imports have loaded and before the first test body runs
 * (the code under test is loaded inside test bodies). `testModule` is the test file's module;
 * `graderRoot` is the `autograder/` directory, `libraryRoot` kernel-lib's.
 */
export function sealEnvironment(
  testModule: NodeModule | null | undefined,
  graderRoot: string,
  libraryRoot: string,
): EnvironmentSeal {
  const g = globalThis as unknown as Record<PropertyKey, unknown>;
  const targets: Target[] = [
    { label: "globalThis", object: g, only: [...BUILT_INS, ...FRAMEWORK_GLOBALS] },
    ...hiddenIntrinsics(),
    { label: "process", object: process, only: ["exit", "reallyExit", "kill", "abort"] },
    { label: "fs", object: fs },
    { label: "child_process", object: childProcess },
    { label: "net", object: net },
    { label: "EventEmitter", object: events.EventEmitter },
    { label: "EventEmitter.prototype", object: events.EventEmitter.prototype },
    { label: "Readable.prototype", object: stream.Readable.prototype },
    { label: "Writable.prototype", object: stream.Writable.prototype },
  ];
  for (const name of [...BUILT_INS, ...FRAMEWORK_GLOBALS]) {
    const value = g[name];
    if (!isObject(value)) continue;
    targets.push({ label: name, object: value });
    const prototype = (value as { prototype?: unknown }).prototype;
    if (isObject(prototype)) targets.push({ label: `${name}.prototype`, object: prototype });
  }
  const matchers = g[Symbol.for("$$jest-matchers-object")] as
    { matchers?: object; customEqualityTesters?: object } | undefined;
  if (matchers?.matchers) {
    targets.push({ label: "expect matchers", object: matchers.matchers, watchAdditions: true });
  }
  for (const target of targets) {
    if (target.label === "Object.prototype" || target.label === "Promise.prototype") {
      target.watchAdditions = true;
    }
  }
  if (matchers?.customEqualityTesters) {
    targets.push({ label: "expect equality testers", object: matchers.customEqualityTesters });
  }
  for (const m of loadedModules(testModule)) {
    if (!isObject(m.exports)) continue;
    if (isInside(m.filename, graderRoot)) freeze(m.exports);
    else if (isInside(m.filename, libraryRoot)) {
      targets.push({ label: `kernel-lib ${path.basename(m.filename)}`, object: m.exports });
    }
  }
  const recorded = targets.map(record);
  return {
    changes(): string[] {
      const changed: string[] = [];
      for (let t = 0; t < recorded.length; t++) {
        const { target, keys, descriptors } = recorded[t] as Recorded;
        const prefix = target.label === "globalThis" ? "" : `${target.label}.`;
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i] as PropertyKey;
          const label = prefix + toText(key);
          if (!isIgnored(label) && !sameDescriptor(descriptors[i], describe(target.object, key))) {
            changed[changed.length] = label;
          }
        }
        // Properties added since, where an addition changes behaviour: a planted
        // Object.prototype.then (every object becomes a thenable) or toJSON, a new matcher.
        // Elsewhere additions are allowed: a submission may polyfill (Symbol.dispose).
        if (!target.watchAdditions) continue;
        const now = keysOf(target);
        for (let i = 0; i < now.length; i++) {
          let known = false;
          for (let j = 0; j < keys.length && !known; j++) known = same(keys[j], now[i]);
          if (!known) changed[changed.length] = prefix + toText(now[i]);
        }
      }
      return changed;
    },
  };
}
