import * as fs from "node:fs";
import * as path from "node:path";
import { closeAll, liveResources, utf8Codec, zmqEndpoint, zmqPull, zmqPush } from "../../src";
import { rejectionOf } from "../support/timing";
import { expectCode, OpenedEnds } from "./support";

const dirOf = (address: string): string => path.dirname(address.slice("ipc://".length));

describe("zmqEndpoint", () => {
  const opened = new OpenedEnds();
  afterEach(() => opened.closeAll());

  it("puts ipc sockets in a private directory that the binding socket removes on close", async () => {
    const address = zmqEndpoint("ipc", "jobs");
    expect(address).toMatch(/^ipc:\/\/.+\/jobs\.sock$/);
    const dir = dirOf(address);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const rx = await zmqPull(utf8Codec, { bind: address });
    expect(rx.endpoint).toBe(address);
    expect(fs.existsSync(address.slice("ipc://".length))).toBe(true);
    await rx.close();
    expect(fs.existsSync(dir)).toBe(false);
    expect(liveResources()).toEqual([]);
  });

  it("lists an ipc directory nobody bound as a live resource until closeAll", async () => {
    const dir = dirOf(zmqEndpoint("ipc"));
    expect(liveResources()).toEqual([`zmq ipc directory ${dir} (never bound)`]);
    await closeAll();
    expect(fs.existsSync(dir)).toBe(false);
  });

  it("binds tcp to loopback on a port the OS picked, and reports the real port", async () => {
    expect(zmqEndpoint("tcp")).toBe("tcp://127.0.0.1:0");
    const rx = opened.add(await zmqPull(utf8Codec, { bind: zmqEndpoint("tcp") }));
    const port = Number(/^tcp:\/\/127\.0\.0\.1:(\d+)$/.exec(rx.endpoint)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect(rx.socket.lastEndpoint).toBe(rx.endpoint);
    const tx = opened.add(await zmqPush(utf8Codec, { connect: rx.endpoint }));
    await tx.send("over loopback");
    expect(await rx.recv({ timeoutMs: 5000 })).toBe("over loopback");
  });

  it("makes a different inproc name on every call", () => {
    const names = new Set(Array.from({ length: 5 }, () => zmqEndpoint("inproc", "x")));
    expect(names.size).toBe(5);
  });

  it("rejects bad names, unknown kinds and unusable addresses with InvalidArgument", async () => {
    expect(() => zmqEndpoint("ipc", "../escape")).toThrow(/name must be/);
    expect(() => zmqEndpoint("udp" as "tcp")).toThrow(/kind must be/);
    expectCode(await rejectionOf(zmqPush(utf8Codec, {})), "InvalidArgument");
    expectCode(
      await rejectionOf(zmqPush(utf8Codec, { connect: "tcp://127.0.0.1:0" })),
      "InvalidArgument",
    );
    const rx = opened.add(await zmqPull(utf8Codec, { bind: zmqEndpoint("tcp") }));
    // The port is taken: the second bind fails, and the failed socket is not left open.
    expectCode(await rejectionOf(zmqPull(utf8Codec, { bind: rx.endpoint })), "InvalidArgument");
    expect(liveResources()).toEqual([`zmq PULL bound to ${rx.endpoint}`]);
  });
});
