// @ts-check
// Jest resolver for `npm run grade`: the code under test (files in the submission, named by
// IPC_EXERCISES_DIR) may import its own files, kernel-lib and Node's modules, but not the
// grader's: not graded() or its event channel, not the test helpers, and not the reference
// solutions (which would otherwise earn full marks by re-exporting them). Plain JS: jest loads
// resolvers without a TypeScript transform.
const path = require("node:path");

const AUTOGRADER = path.resolve(__dirname, "..");

/** @param {string} file @param {string} dir */
const isInside = (file, dir) => file === dir || file.startsWith(dir + path.sep);

/**
 * @param {string} request
 * @param {{ basedir: string, defaultResolver: (request: string, options: object) => string }} options
 * @returns {string}
 */
module.exports = (request, options) => {
  const resolved = options.defaultResolver(request, options);
  const submission = process.env.IPC_EXERCISES_DIR;
  if (
    submission &&
    isInside(options.basedir, path.resolve(submission)) &&
    isInside(resolved, AUTOGRADER)
  ) {
    throw new Error(`${request}: the code under test may not import the autograder's files`);
  }
  return resolved;
};
