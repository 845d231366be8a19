import * as fs from "node:fs";
import {
  closeAll,
  isChannelError,
  liveResources,
  programPath,
  spawnEntry,
  startWorker,
} from "../src";
import { fixturePath, releaseAllAndExpectNoLeaks } from "./support/fixtures";
import { rejectionOf } from "./support/timing";

jest.setTimeout(30_000);
const fixture = fixturePath;

afterEach(releaseAllAndExpectNoLeaks);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("spawnEntry", () => {
  it("gives the child real pipes, not Node's default socketpairs", async () => {
    const child = spawnEntry(programPath("framed-echo"));
    const links = [0, 1].map((fd) => fs.readlinkSync(`/proc/${child.pid}/fd/${fd}`));
    expect(links[0]).toMatch(/^(pipe:|.*\(deleted\))/);
    expect(links[1]).toMatch(/^(pipe:|.*\(deleted\))/);
    for (const fd of [0, 1]) {
      expect(fs.statSync(`/proc/${child.pid}/fd/${fd}`).isFIFO()).toBe(true);
    }
    expect((await child.stop()).code).toBe(0);
  });

  it("stops a child that exits on EOF without signals", async () => {
    const child = spawnEntry(programPath("framed-echo"));
    expect(await child.stop()).toEqual({ code: 0, signal: null });
    expect(alive(child.pid)).toBe(false);
  });

  it("escalates to SIGKILL for a child that ignores EOF and SIGTERM", async () => {
    const child = spawnEntry(fixture("ignores-eof.ts"), { graceMs: 300 });
    await new Promise((r) => setTimeout(r, 1000));
    const exit = await child.stop();
    expect(exit.signal).toBe("SIGKILL");
    expect(alive(child.pid)).toBe(false);
  });

  it("names a missing entry file", () => {
    let err: unknown;
    try {
      spawnEntry("/nonexistent/child.ts");
    } catch (e) {
      err = e;
    }
    expect(isChannelError(err, "InvalidArgument")).toBe(true);
    expect(String(err)).toContain("/nonexistent/child.ts");
  });

  it("lists the available programs when asked for an unknown one", () => {
    expect(() => programPath("no-such-program")).toThrow(/available: .*framed-echo/);
  });

  it("kills children that are still running when closeAll() is called", async () => {
    const child = spawnEntry(fixture("ignores-eof.ts"), { graceMs: 200 });
    expect(liveResources()).toContain(`child process ${child.pid} (ignores-eof.ts)`);
    await closeAll();
    expect(alive(child.pid)).toBe(false);
  });
});

describe("startWorker", () => {
  it("runs a TypeScript worker that answers and stops on the stop message", async () => {
    const w = startWorker(fixture("echo-worker.ts"));
    const reply = new Promise((r) => w.worker.once("message", r));
    w.worker.postMessage({ type: "hello", n: 1 });
    expect(await reply).toEqual({ type: "hello", n: 1 });
    expect(await w.stop()).toBe(0);
  });

  it("rejects nothing and leaks nothing when the worker entry is missing", async () => {
    expect(() => startWorker(fixture("missing.ts"))).toThrow(/entry file not found/);
  });
});

describe("timeouts", () => {
  it("rejects a nonsense timeout with InvalidArgument", async () => {
    const child = spawnEntry(programPath("framed-echo"));
    const { childChannel, utf8Codec } = await import("../src");
    const ch = childChannel(child, utf8Codec);
    expect(isChannelError(await rejectionOf(ch.recv({ timeoutMs: -5 })), "InvalidArgument")).toBe(
      true,
    );
    await ch.close();
    await child.stop();
  });
});
