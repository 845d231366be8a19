// @ts-check
// Jest configuration for `npm run grade` (sandbox/run-graded-file.ts), not for `npm run check`
// (../jest.grading.config.js) nor `npm test`. The same transform as check: ts-jest only
// transpiles (grade type-checks the submission itself, before any test runs). Added here:
// hidden tests, a resolver that keeps the code under test away from the grader's files, and a
// setup file that freezes jest's globals before the code under test can replace them.
//
// rootDir is absolute because each run reaches this file through a `jest.config.js` in its
// workspace (see workspace.ts): jest 30 insists on finding a config above the working
// directory even when --config names one elsewhere.
const path = require("node:path");

/** @type {import("jest").Config} */
module.exports = {
  rootDir: path.resolve(__dirname, "..", ".."),
  testEnvironment: "node",
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/autograder/tsconfig.grading.json" }],
  },
  roots: ["<rootDir>/autograder", "<rootDir>/kernel-lib"],
  testMatch: ["<rootDir>/autograder/tests/*.test.ts", "<rootDir>/autograder/hidden/*.test.ts"],
  resolver: "<rootDir>/autograder/sandbox/jest-resolver.js",
  setupFilesAfterEnv: ["<rootDir>/autograder/sandbox/jest-lockdown.ts"],
};
