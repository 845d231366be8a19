// @ts-check
// Plain JS so Jest needs no ts-node to read it.
// ts-jest only transpiles here (tsconfig's isolatedModules makes it use transpileModule): the type-check is a separate step of `npm test` (tsc --noEmit),
// which keeps each test file fast to load on a 2-core machine.
/** @type {import("jest").Config["transform"]} */
const transform = {
  "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
};

/**
 * `roots` keeps Jest's file crawler inside the project's own folders (the Python .venv holds
 * thousands of package.json files that would otherwise collide in its module map).
 * @param {string} name @param {string} dir @param {string} match
 * @returns {import("jest").Config}
 */
const project = (name, dir, match) => ({
  displayName: name,
  testEnvironment: "node",
  transform,
  roots: [`<rootDir>/${dir}`],
  testMatch: [match],
});

/** @type {import("jest").Config} */
module.exports = {
  projects: [
    project("kernel-lib", "kernel-lib", "<rootDir>/kernel-lib/test/**/*.test.ts"),
    project("scripts", "scripts", "<rootDir>/scripts/test/**/*.test.ts"),
    project("autograder", "autograder", "<rootDir>/autograder/self-test/**/*.test.ts"),
  ],
};
