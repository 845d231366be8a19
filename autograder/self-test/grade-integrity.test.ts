/**
 * The environment seal of `lib/integrity.ts`, in this test's own realm: what it reports after
 * a built-in, a Node module or a matcher is replaced, and what it allows (polyfills).
 */
import fs from "node:fs";
import * as path from "node:path";
import { sealEnvironment } from "../lib/integrity";

const AUTOGRADER = path.resolve(__dirname, "..");
const KERNEL_LIB = path.resolve(AUTOGRADER, "..", "kernel-lib");

/** Runs `change`, reads the seal's report, then `undo`s the change whatever happened. */
function changesAfter(change: () => void, undo: () => void): string[] {
  const seal = sealEnvironment(module, AUTOGRADER, KERNEL_LIB);
  try {
    change();
    return seal.changes();
  } finally {
    undo();
  }
}

it("reports nothing when nothing changed", () => {
  expect(sealEnvironment(module, AUTOGRADER, KERNEL_LIB).changes()).toEqual([]);
});

it("names a replaced built-in, prototype method or Node function", () => {
  const is = Object.is;
  expect(
    changesAfter(
      () => (Object.is = () => true),
      () => (Object.is = is),
    ),
  ).toEqual(["Object.is"]);
  const then = Promise.prototype.then;
  expect(
    changesAfter(
      () => (Promise.prototype.then = then),
      () => (Promise.prototype.then = then),
    ),
  ).toEqual([]);
  const writeSync = fs.writeSync;
  const patchable = fs as unknown as { writeSync: unknown };
  expect(
    changesAfter(
      () => (patchable.writeSync = () => 0),
      () => (patchable.writeSync = writeSync),
    ),
  ).toEqual(["fs.writeSync"]);
});

it("reports a planted Object.prototype.then but allows a polyfill on Symbol", () => {
  const proto = Object.prototype as Record<string, unknown>;
  expect(
    changesAfter(
      () => (proto.then = () => {}),
      () => delete proto.then,
    ),
  ).toEqual(["Object.prototype.then"]);
  const symbols = Symbol as unknown as Record<string, unknown>;
  expect(
    changesAfter(
      () => (symbols.gradingPolyfill = Symbol("x")),
      () => delete symbols.gradingPolyfill,
    ),
  ).toEqual([]);
});

it("reports a swapped matcher", () => {
  const registry = (globalThis as unknown as Record<symbol, { matchers: Record<string, unknown> }>)[
    Symbol.for("$$jest-matchers-object")
  ];
  const toBe = registry?.matchers.toBe;
  expect(
    changesAfter(
      () => registry && (registry.matchers.toBe = () => ({ pass: true })),
      () => registry && (registry.matchers.toBe = toBe),
    ),
  ).toEqual(["expect matchers.toBe"]);
});
