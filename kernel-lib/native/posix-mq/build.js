// Builds the POSIX message queue addon with node-gyp, as npm's install step for this
// workspace (and `npm run build -w @ipc-course/posix-mq-addon` by hand).
//
// The addon is an optional part of kernel-lib: where it cannot build (no C compiler, no
// Python for node-gyp, no Node headers offline) or where the platform has no POSIX message
// queues (macOS), installing must still succeed. So this script never fails the install: it
// writes build/status.json with what happened, and kernel-lib's mqueueSupport() reports that
// reason to the notebook. Plain CommonJS, because it runs before tsx is guaranteed installed.
// `--strict` makes a failed build exit 1 (for developers working on the C code).
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const here = __dirname;
const buildDir = path.join(here, "build");
const statusFile = path.join(buildDir, "status.json");
const logFile = path.join(buildDir, "build.log");
const strict = process.argv.includes("--strict");

/** Records the outcome for kernel-lib/src/mqueue/binding.ts and says it in one line. */
function finish(built, reason) {
  fs.mkdirSync(buildDir, { recursive: true });
  const status = { built, reason, node: process.version, platform: process.platform };
  fs.writeFileSync(statusFile, JSON.stringify(status, null, 2) + "\n");
  console.log(`posix-mq addon: ${built ? "built" : "not built"}: ${reason}`);
  process.exit(!built && strict ? 1 : 0);
}

/** node-gyp: the one npm runs scripts with, a local install, or the copy bundled with npm. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(
      path.dirname(process.execPath),
      "../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js",
    ),
  ];
  try {
    candidates.push(require.resolve("node-gyp/bin/node-gyp.js"));
  } catch {
    // Not installed locally: the other candidates remain.
  }
  return candidates.find((c) => c && fs.existsSync(c));
}

/**
 * node-gyp needs Node's headers. npm passes its `nodedir` setting to scripts; otherwise use
 * the headers installed next to this node binary (official tarballs and distribution packages
 * ship them), because node-gyp's fallback downloads them, which fails offline.
 */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = path.resolve(path.dirname(process.execPath), "..");
  return fs.existsSync(path.join(prefix, "include/node/node_api.h")) ? [`--nodedir=${prefix}`] : [];
}

if (process.platform !== "linux") {
  finish(
    false,
    `POSIX message queues are a Linux feature here (this is ${process.platform}: macOS has no ` +
      `mq_open); the message-queue sections use BoundedQueue instead`,
  );
}

const nodeGyp = findNodeGyp();
if (!nodeGyp)
  finish(false, "node-gyp not found (it comes with npm); reinstall npm or add node-gyp");

const result = spawnSync(process.execPath, [nodeGyp, "rebuild", ...nodedirArgs()], {
  cwd: here,
  encoding: "utf8",
  timeout: 300_000,
});
const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
fs.mkdirSync(buildDir, { recursive: true });
fs.writeFileSync(logFile, output);
const addon = path.join(buildDir, "Release", "posix_mq.node");
if (result.status === 0 && fs.existsSync(addon)) {
  finish(true, `node-gyp rebuild succeeded (${path.relative(process.cwd(), addon)})`);
}
// The first line that names the problem, e.g. "fatal error: mqueue.h: No such file".
const firstError =
  output.split("\n").find((l) => /error|not found|ENOENT/i.test(l) && !/^gyp info/.test(l)) ??
  (result.error ? String(result.error) : `exit status ${result.status}`);
finish(
  false,
  `node-gyp rebuild failed: ${firstError.trim()} (full log: ${path.relative(process.cwd(), logFile)}; ` +
    `needs a C compiler, make and Python 3)`,
);
