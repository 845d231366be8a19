/**
 * Loads the zeromq.js native addon on first use, not when kernel-lib is imported: a notebook
 * that never opens a ZeroMQ socket should not pay for loading it (or fail where no prebuilt
 * addon exists), and the addon's process-wide context is only created when needed.
 */
/** The zeromq.js module's exports (socket classes, `context`, `version`). */
export type ZeromqModule = typeof import("zeromq");

let loaded: ZeromqModule | undefined;

/** The zeromq.js module, loaded once per thread. */
export function zeromq(): ZeromqModule {
  // A plain require keeps the load synchronous and identical under tsx, ts-jest and tslab
  // (all compile to CommonJS); `import()` would go through Node's ESM loader instead.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require("zeromq") as ZeromqModule;
  return loaded;
}
