import type { Config } from "jest";

// ts-jest only transpiles here: the type-check is a separate step of `npm test` (tsc --noEmit),
// which keeps each test file fast to load on a 2-core machine.
const transform: Config["transform"] = {
  "^.+\\.ts$": ["ts-jest", { isolatedModules: true, tsconfig: "tsconfig.json" }],
};

const config: Config = {
  projects: [
    {
      displayName: "kernel-lib",
      testEnvironment: "node",
      transform,
      testMatch: ["<rootDir>/kernel-lib/test/**/*.test.ts"],
    },
    {
      displayName: "scripts",
      testEnvironment: "node",
      transform,
      testMatch: ["<rootDir>/scripts/test/**/*.test.ts"],
    },
    {
      displayName: "autograder",
      testEnvironment: "node",
      transform,
      testMatch: ["<rootDir>/autograder/self-test/**/*.test.ts"],
    },
  ],
};

export default config;
