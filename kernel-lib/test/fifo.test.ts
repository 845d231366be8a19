import * as fs from "node:fs";
import * as path from "node:path";
import {
  createFifo,
  isChannelError,
  openFifoReader,
  openFifoWriter,
  spawnEntry,
  utf8Codec,
} from "../src";
import { releaseAllAndExpectNoLeaks } from "./support/fixtures";
import { rejectionOf } from "./support/timing";

jest.setTimeout(30_000);

afterEach(releaseAllAndExpectNoLeaks);

describe("FIFOs", () => {
  it("carries messages between two unrelated processes that share only the path", async () => {
    const fifo = createFifo("between-processes");
    const reader = openFifoReader(fifo.path, utf8Codec);
    const writerProcess = spawnEntry(path.join(__dirname, "fixtures", "fifo-sender.ts"), {
      args: [fifo.path, "5"],
    });
    const got: string[] = [];
    for await (const m of reader) got.push(m);
    expect(got).toEqual([0, 1, 2, 3, 4].map((i) => `message ${i} from ${writerProcess.pid}`));
    expect((await writerProcess.exited).code).toBe(0);
    await fifo.remove();
  });

  it("times out a writer when no reader ever opens", async () => {
    const fifo = createFifo("lonely");
    const t0 = Date.now();
    const err = await rejectionOf(openFifoWriter(fifo.path, utf8Codec, { timeoutMs: 200 }));
    expect(isChannelError(err, "Timeout")).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    await fifo.remove();
  });

  it("removes the FIFO and its private directory", async () => {
    const fifo = createFifo("gone");
    expect(fs.statSync(fifo.path).isFIFO()).toBe(true);
    expect(fs.statSync(path.dirname(fifo.path)).mode & 0o777).toBe(0o700);
    await fifo.remove();
    await fifo.remove();
    expect(fs.existsSync(path.dirname(fifo.path))).toBe(false);
  });

  it("refuses paths that are not FIFOs and names that are not plain", () => {
    expect(() => openFifoReader(__filename, utf8Codec)).toThrow(/is not a FIFO/);
    expect(() => openFifoReader("/nonexistent/fifo", utf8Codec)).toThrow(/no FIFO at/);
    expect(() => createFifo("../escape")).toThrow(/plain file name/);
  });

  it("delivers a writer's messages and then end-of-stream when it closes", async () => {
    const fifo = createFifo("eof");
    const reader = openFifoReader(fifo.path, utf8Codec);
    const writer = await openFifoWriter(fifo.path, utf8Codec);
    await writer.send("last words");
    await writer.close();
    expect(await reader.recv({ timeoutMs: 5000 })).toBe("last words");
    expect(isChannelError(await rejectionOf(reader.recv()), "ChannelClosed")).toBe(true);
    await fifo.remove();
  });
});
