/**
 * Graded tests of ex02 (framing): the learner's FrameDecoder, fed chunks built with kernel-lib's
 * `encodeFrame`, then a real pipe to a child process that re-cuts the stream at random points.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { encodeFrame, FrameDecoder as LibFrameDecoder, spawnEntry } from "kernel-lib";
import type * as Framing from "../../exercises/ex02-framing/framing";
import { exerciseFile, loadExercise } from "../lib/exercise-path";
import { graded } from "../lib/graded";
import { createRandom } from "../lib/seeded-random";
import {
  cutRandomly,
  expectChannelError,
  expectPayloads,
  seededPayloads,
  streamOf,
} from "./helpers/frames";

const SLUG = "ex02-framing";
const RELAY = path.join(__dirname, "programs", "chunk-relay.ts");
const MAX = 64 * 1024;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The learner's FrameDecoder class, refused when it is (or wraps) kernel-lib's own. */
function learnerDecoder(): typeof Framing.FrameDecoder {
  const { FrameDecoder } = loadExercise<typeof Framing>(SLUG, "framing");
  if (typeof FrameDecoder !== "function") {
    throw new Error("framing.ts must export the class FrameDecoder");
  }
  const source = fs.readFileSync(exerciseFile(SLUG, "framing"), "utf8");
  const importsLibDecoder = /import\s*{[^}]*\bFrameDecoder\b[^}]*}\s*from\s*["']kernel-lib["']/;
  if (
    FrameDecoder === (LibFrameDecoder as unknown) ||
    Object.prototype.isPrototypeOf.call(LibFrameDecoder.prototype, FrameDecoder.prototype) ||
    importsLibDecoder.test(source)
  ) {
    throw new Error("FrameDecoder must be your own class: do not import kernel-lib's FrameDecoder");
  }
  return FrameDecoder;
}

function decoder(maxMessageBytes = MAX): Framing.FrameDecoder {
  const Decoder = learnerDecoder();
  return new Decoder(maxMessageBytes);
}

graded(
  "returns the payload of a whole frame pushed in one chunk",
  2,
  () => {
    const dec = decoder();
    expectPayloads(dec.push(encodeFrame(text("hello"))), [text("hello")], "push(one frame)");
    dec.end();
  },
  { hint: "read the 4-byte big-endian length, then take that many payload bytes" },
);

graded(
  "returns an empty payload for a zero-length frame",
  2,
  () => {
    const dec = decoder();
    const empty = new Uint8Array(0);
    expectPayloads(dec.push(encodeFrame(empty)), [empty], "push(zero-length frame)");
    const three = streamOf([empty, text("x"), empty]);
    expectPayloads(dec.push(three), [empty, text("x"), empty], "push(empty, 'x', empty)");
    dec.end();
  },
  { hint: "a frame whose header says 0 is complete as soon as its header is" },
);

graded(
  "returns every frame of a chunk that holds several, in order",
  2,
  () => {
    const payloads = ["one", "two", "three", "", "five"].map(text);
    expectPayloads(decoder().push(streamOf(payloads)), payloads, "push(five frames at once)");
  },
  { hint: "after a complete frame, keep going through the rest of the chunk" },
);

graded(
  "reassembles frames pushed one byte at a time, header bytes included",
  2,
  () => {
    const dec = decoder();
    const payloads = [text("split"), new Uint8Array(0), text("across many chunks")];
    const stream = streamOf(payloads);
    const got: Uint8Array[] = [];
    for (let i = 0; i < stream.byteLength; i++) {
      const out = dec.push(stream.subarray(i, i + 1));
      // Frame 1 ends at byte 9, the empty frame at 13, frame 3 at the last byte.
      const completes = i === 8 || i === 12 || i === stream.byteLength - 1;
      if (out.length !== (completes ? 1 : 0)) {
        throw new Error(
          `push(byte ${i}) returned ${out.length} payloads, expected ${completes ? 1 : 0}`,
        );
      }
      got.push(...out);
    }
    expectPayloads(got, payloads, "one byte per push");
    dec.end();
  },
  { hint: "keep a partial header between push() calls, not only a partial payload" },
);

graded(
  "reassembles frames cut at random points (30 seeded streams)",
  3,
  () => {
    const maxChunks = [3, 16, 64, 300, 1500];
    for (let seed = 1; seed <= 30; seed++) {
      const random = createRandom(seed);
      const payloads = seededPayloads(random, 30);
      const dec = decoder();
      const got: Uint8Array[] = [];
      const maxChunk = maxChunks[seed % maxChunks.length] ?? 1;
      for (const chunk of cutRandomly(streamOf(payloads), random, maxChunk)) {
        got.push(...dec.push(chunk));
      }
      expectPayloads(got, payloads, `seed ${seed}`);
      dec.end();
    }
  },
  { hint: "replay the failing seed: createRandom(seed) in autograder/lib/seeded-random.ts" },
);

graded(
  "keeps returned payloads intact after later pushes",
  1,
  () => {
    const dec = decoder();
    const first = dec.push(streamOf([text("first"), text("second")]));
    dec.push(streamOf([text("third payload, longer"), text("fourth")]).subarray(0, 30));
    expectPayloads(first, [text("first"), text("second")], "payloads returned by the first push");
  },
  { hint: "do not reuse one buffer for every payload you return" },
);

graded(
  "rejects a frame announcing more than maxMessageBytes before its payload arrives",
  2,
  () => {
    const atLimit = decoder(16);
    expectPayloads(atLimit.push(encodeFrame(new Uint8Array(16))), [new Uint8Array(16)], "16 of 16");
    const dec = decoder(16);
    const header = encodeFrame(new Uint8Array(17)).subarray(0, 4);
    expectChannelError(
      () => dec.push(header),
      "MessageTooLarge",
      "push(header announcing 17 of 16)",
    );
    expectChannelError(() => dec.push(text("more")), "MessageTooLarge", "push() after the error");
    const huge = Uint8Array.of(0xff, 0xff, 0xff, 0xff);
    expectChannelError(() => decoder(16).push(huge), "MessageTooLarge", "header announcing 4 GiB");
  },
  {
    hint:
      'throw new ChannelError("MessageTooLarge", ...) as soon as the header is complete; ' +
      "remember the error and throw it again on every later call",
  },
);

graded(
  "end() accepts a stream that stops on a frame boundary and rejects one stopping mid-frame",
  2,
  () => {
    decoder().end();
    const whole = decoder();
    whole.push(streamOf([text("a"), new Uint8Array(0)]));
    whole.end();
    const midHeader = decoder();
    midHeader.push(Uint8Array.of(0, 0));
    expectChannelError(() => midHeader.end(), "CorruptFrame", "end() after half a header");
    const midPayload = decoder();
    midPayload.push(encodeFrame(text("cut short")).subarray(0, 7));
    expectChannelError(() => midPayload.end(), "CorruptFrame", "end() after half a payload");
  },
  { hint: 'end() throws new ChannelError("CorruptFrame", ...) when any frame bytes are held' },
);

graded(
  "decodes frames relayed through a real pipe by a child process in random-size chunks",
  4,
  async () => {
    const seed = 2024;
    const payloads = seededPayloads(createRandom(seed), 300);
    const stream = streamOf(payloads);
    const dec = decoder();
    const relay = spawnEntry(RELAY, { args: [String(seed)] });
    const got: Uint8Array[] = [];
    // Frame boundaries as stream offsets, to count reads that ended inside a frame.
    const boundaries = new Set<number>();
    let offset = 0;
    for (const p of payloads) boundaries.add((offset += 4 + p.byteLength));
    let received = 0;
    let readsEndingMidFrame = 0;
    const decoded = new Promise<void>((resolve, reject) => {
      relay.stdout.on("data", (chunk: Buffer) => {
        received += chunk.byteLength;
        if (!boundaries.has(received)) readsEndingMidFrame++;
        try {
          got.push(...dec.push(chunk));
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
      relay.stdout.once("end", () => {
        try {
          dec.end();
          resolve();
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    relay.stdin.end(stream);
    try {
      await decoded;
    } finally {
      await relay.stop();
    }
    expect(await relay.exited).toEqual({ code: 0, signal: null });
    expect(received).toBe(stream.byteLength);
    // The check is only worth something if the pipe really split frames.
    expect(readsEndingMidFrame).toBeGreaterThan(10);
    expectPayloads(got, payloads, `${payloads.length} frames through the pipe (seed ${seed})`);
  },
  {
    timeoutMs: 20_000,
    hint: "a pipe delivers bytes, not messages: any read may end inside a header or a payload",
  },
);
