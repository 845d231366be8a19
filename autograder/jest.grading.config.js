// @ts-check
// Jest configuration for grading: used by `check.ts`, not by `npm test`. Plain JS so Jest needs
// no ts-node to read it (as the root jest.config.js).
//
// The graded tests in autograder/tests/ run against the directory named by IPC_EXERCISES_DIR.
// ts-jest only transpiles: a learner's type error must not hide the tests that would still
// pass; `npm run typecheck` reports types on its own. ts-jest 29.4 transpiles file by file only
// when the tsconfig sets `isolatedModules` (it has no `transpilation` option), hence
// tsconfig.grading.json. `roots` keeps Jest's crawler out of .venv.

/** @type {import("jest").Config} */
module.exports = {
  rootDir: "..",
  testEnvironment: "node",
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/autograder/tsconfig.grading.json" }],
  },
  roots: ["<rootDir>/autograder", "<rootDir>/exercises", "<rootDir>/kernel-lib"],
  testMatch: ["<rootDir>/autograder/tests/*.test.ts"],
};
