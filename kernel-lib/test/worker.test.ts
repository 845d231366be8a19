import { createPortPair, isChannelError, programPath, startWorker, workerChannel } from "../src";
import { fixturePath, releaseAllAndExpectNoLeaks } from "./support/fixtures";
import { rejectionOf } from "./support/timing";

jest.setTimeout(30_000);
const fixture = fixturePath;

afterEach(releaseAllAndExpectNoLeaks);

describe("worker transport", () => {
  it("copies a message: changing the sent object does not change what the worker got", async () => {
    const w = startWorker(programPath("echo-worker"));
    const ch = workerChannel<{ items: number[] }>(w);
    const msg = { items: [1, 2, 3] };
    await ch.send(msg);
    msg.items.push(4);
    expect(await ch.recv({ timeoutMs: 5000 })).toEqual({ items: [1, 2, 3] });
    await ch.close();
    expect(await w.stop()).toBe(0);
  });

  it("moves a transferred buffer: the sender's copy is detached, the receiver has the bytes", async () => {
    const w = startWorker(programPath("echo-worker"));
    const ch = workerChannel<Uint8Array>(w);
    const bytes = new Uint8Array(1 << 20).fill(5);
    await ch.send(bytes, { transfer: [bytes.buffer] });
    expect(bytes.byteLength).toBe(0);
    const back = await ch.recv({ timeoutMs: 5000 });
    expect(back.byteLength).toBe(1 << 20);
    expect(back[12345]).toBe(5);
    await ch.close();
    await w.stop();
  });

  it("refuses to transfer a buffer twice instead of losing the message", async () => {
    const w = startWorker(programPath("echo-worker"));
    const ch = workerChannel<Uint8Array>(w);
    const bytes = new Uint8Array(16);
    await ch.send(bytes, { transfer: [bytes.buffer] });
    const err = await rejectionOf(ch.send(bytes, { transfer: [bytes.buffer] }));
    expect(isChannelError(err, "InvalidArgument")).toBe(true);
    expect(String(err)).toContain("already transferred");
    // A genuinely empty buffer is still fine to transfer.
    const empty = new Uint8Array(0);
    await ch.send(empty, { transfer: [empty.buffer] });
    expect((await ch.recv({ timeoutMs: 5000 })).byteLength).toBe(16);
    expect((await ch.recv({ timeoutMs: 5000 })).byteLength).toBe(0);
    await ch.close();
    await w.stop();
  });

  it("receives a buffer the worker transferred, and the worker's copy is detached", async () => {
    const w = startWorker(fixture("worker-faults.ts"));
    const ch = workerChannel<string | Uint8Array>(w);
    await ch.send("transfer");
    const bytes = (await ch.recv({ timeoutMs: 5000 })) as Uint8Array;
    expect(bytes.byteLength).toBe(1024);
    expect(await ch.recv({ timeoutMs: 5000 })).toBe("0");
    await ch.close();
    await w.stop();
  });

  it("fails the receiver with PeerFailed carrying the worker's stack when the worker throws", async () => {
    const w = startWorker(fixture("worker-faults.ts"));
    const ch = workerChannel<string>(w);
    await ch.send("throw");
    const err = await rejectionOf(ch.recv({ timeoutMs: 5000 }));
    expect(isChannelError(err, "PeerFailed")).toBe(true);
    const cause = (err as Error).cause as Error;
    expect(cause.message).toBe("the worker threw on purpose");
    expect(cause.stack).toContain("explode");
    expect(await w.exited).toBe(1);
  });

  it("passes an error reported with fail() across the thread boundary, stack included", async () => {
    const w = startWorker(fixture("worker-faults.ts"));
    const ch = workerChannel<string>(w);
    await ch.send("fail");
    const err = await rejectionOf(ch.recv({ timeoutMs: 5000 }));
    expect(isChannelError(err, "PeerFailed")).toBe(true);
    expect(String(err)).toContain("TypeError: the worker reported a failure");
    expect(((err as Error).cause as Error).stack).toContain("worker-faults.ts");
    expect(await w.exited).toBe(0);
  });

  it("ends the worker's loop on stop() so it exits by itself, without terminate()", async () => {
    const w = startWorker(programPath("echo-worker"));
    const ch = workerChannel<string>(w);
    await ch.send("x");
    await ch.recv({ timeoutMs: 5000 });
    expect(await w.stop(5000)).toBe(0);
    // The worker closed its side: our receiver ends rather than waiting forever.
    expect(isChannelError(await rejectionOf(ch.recv({ timeoutMs: 5000 })), "ChannelClosed")).toBe(
      true,
    );
    await ch.close();
  });

  it("lets two workers talk directly over a MessageChannel, in order", async () => {
    const [a, b] = createPortPair();
    const ping = startWorker(fixture("port-peer.ts"), {
      workerData: { port: a, role: "ping", count: 100 },
      transferList: [a],
    });
    const pong = startWorker(fixture("port-peer.ts"), {
      workerData: { port: b, role: "pong", count: 100 },
      transferList: [b],
    });
    const pingReport = workerChannel<string>(ping);
    const pongReport = workerChannel<string>(pong);
    expect(await pingReport.recv({ timeoutMs: 10_000 })).toBe("ping side done after 100");
    expect(await pongReport.recv({ timeoutMs: 10_000 })).toBe("pong side answered 100");
    expect(await ping.exited).toBe(0);
    expect(await pong.exited).toBe(0);
    await pingReport.close();
    await pongReport.close();
  });

  it("refuses a message that cannot be cloned, naming the problem", async () => {
    const w = startWorker(programPath("echo-worker"));
    const ch = workerChannel<unknown>(w);
    const err = await rejectionOf(ch.send({ f: () => 1 }));
    expect(isChannelError(err, "InvalidArgument")).toBe(true);
    expect(String(err)).toMatch(/cannot send this message/);
    await ch.close();
    await w.stop();
  });
});
