/**
 * Jest setup file for `npm run grade` (setupFilesAfterEnv of `jest.sandbox.config.js`): runs in
 * each test file's context before the test file, so before any code under test. Makes the
 * framework's globals unassignable and its matchers unchangeable, so a submission cannot
 * swap `expect` or `toEqual` for versions that always pass. `lib/integrity.ts` catches what
 * cannot be frozen without breaking the tests themselves (built-ins).
 */
import { FRAMEWORK_GLOBALS } from "../lib/integrity";

const g = globalThis as unknown as Record<PropertyKey, unknown>;

for (const name of FRAMEWORK_GLOBALS) {
  if (!(name in g)) continue;
  Object.defineProperty(g, name, { value: g[name], writable: false, configurable: false });
}

// New matchers would replace the built-in ones (expect.extend({ toEqual: () => pass })).
Object.defineProperty(expect, "extend", {
  value: () => {
    throw new Error("expect.extend is not available while grading");
  },
});
Object.freeze(expect);

const registry = g[Symbol.for("$$jest-matchers-object")] as
  { matchers?: object; customEqualityTesters?: object } | undefined;
if (registry?.matchers) Object.freeze(registry.matchers);
if (registry?.customEqualityTesters) Object.freeze(registry.customEqualityTesters);
