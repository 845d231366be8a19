/**
 * Hidden graded tests of ex02 (framing): edge cases the public tests do not name. Never
 * released to learners; `npm run grade` runs them after the public ones.
 */
import { encodeFrame } from "kernel-lib";
import { graded } from "../lib/graded";
import { createRandom } from "../lib/seeded-random";
import { cutRandomly, expectChannelError, expectPayloads, streamOf } from "../tests/helpers/frames";
import { learnerDecoder } from "./helpers/learner-decoder";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

graded(
  "accepts a 64 KiB frame of exactly maxMessageBytes, pushed in random chunks",
  2,
  () => {
    const limit = 64 * 1024;
    const random = createRandom(640);
    const payload = random.bytes(limit);
    const dec = learnerDecoder(limit);
    const got: Uint8Array[] = [];
    for (const chunk of cutRandomly(encodeFrame(payload), random, 1500)) {
      got.push(...dec.push(chunk));
    }
    expectPayloads(got, [payload], `one frame of ${limit} bytes with maxMessageBytes ${limit}`);
    dec.end();
    const over = learnerDecoder(limit);
    expectChannelError(
      () => over.push(encodeFrame(random.bytes(limit + 1)).subarray(0, 4)),
      "MessageTooLarge",
      `header announcing ${limit + 1} of ${limit}`,
    );
  },
  { hint: "the limit is inclusive: a payload of exactly maxMessageBytes is allowed" },
);

graded(
  "with maxMessageBytes 0 accepts only zero-length frames",
  1,
  () => {
    const dec = learnerDecoder(0);
    const empty = new Uint8Array(0);
    expectPayloads(dec.push(streamOf([empty, empty])), [empty, empty], "two empty frames of 0");
    expectChannelError(
      () => dec.push(encodeFrame(text("x"))),
      "MessageTooLarge",
      "a 1-byte frame with maxMessageBytes 0",
    );
  },
  {
    hint: "compare the announced length with maxMessageBytes using >, not >= or a truthiness test",
  },
);

graded(
  "returns 500 zero-length frames interleaved with data, in order, however the stream is cut",
  2,
  () => {
    for (const seed of [11, 12, 13]) {
      const random = createRandom(seed);
      const payloads: Uint8Array[] = [];
      for (let i = 0; i < 500; i++) {
        payloads.push(random.next() < 0.6 ? new Uint8Array(0) : random.bytes(random.int(1, 9)));
      }
      const dec = learnerDecoder(64);
      const got: Uint8Array[] = [];
      for (const chunk of cutRandomly(streamOf(payloads), random, 7)) got.push(...dec.push(chunk));
      expectPayloads(got, payloads, `seed ${seed}`);
      dec.end();
    }
    // Only empty frames, all in one chunk: each header alone completes a frame.
    const empties = Array.from({ length: 200 }, () => new Uint8Array(0));
    expectPayloads(learnerDecoder(0).push(streamOf(empties)), empties, "200 empty frames at once");
  },
  { hint: "after an empty frame completes, the next 4 bytes are a new header" },
);

graded(
  "reassembles seeded streams split in two at every byte boundary",
  3,
  () => {
    for (let seed = 100; seed < 110; seed++) {
      const random = createRandom(seed);
      const payloads = Array.from({ length: random.int(1, 6) }, () =>
        random.bytes(random.next() < 0.3 ? 0 : random.int(1, 12)),
      );
      const stream = streamOf(payloads);
      for (let cut = 0; cut <= stream.byteLength; cut++) {
        const dec = learnerDecoder(64);
        const got = [...dec.push(stream.subarray(0, cut)), ...dec.push(stream.subarray(cut))];
        expectPayloads(got, payloads, `seed ${seed}, split at byte ${cut} of ${stream.byteLength}`);
        dec.end();
      }
    }
  },
  { hint: "an empty chunk, or a cut right after a header, must change nothing" },
);

graded(
  "end() after MessageTooLarge throws MessageTooLarge again, not CorruptFrame",
  1,
  () => {
    const dec = learnerDecoder(8);
    expectChannelError(
      () => dec.push(Uint8Array.of(0, 0, 0, 9)),
      "MessageTooLarge",
      "header announcing 9 of 8",
    );
    expectChannelError(() => dec.end(), "MessageTooLarge", "end() after the error");
  },
  { hint: "remember the first error and throw it from end() as well as from push()" },
);

graded(
  "reads chunks that are views at an offset into a larger buffer full of other bytes",
  1,
  () => {
    const payloads = [text("alpha"), new Uint8Array(0), text("bravo charlie")];
    const stream = streamOf(payloads);
    // Surround the stream with 0xff bytes: reading chunk.buffer from 0, or past the view's
    // end, shows up as a huge length (MessageTooLarge) or as wrong payload bytes.
    const backing = new Uint8Array(stream.byteLength + 64).fill(0xff);
    backing.set(stream, 29);
    const view = backing.subarray(29, 29 + stream.byteLength);
    const dec = learnerDecoder(64);
    const got = [...dec.push(view.subarray(0, 6)), ...dec.push(view.subarray(6))];
    expectPayloads(got, payloads, "chunks at byteOffset 29 and 35 of a larger buffer");
    dec.end();
  },
  { hint: "a Uint8Array may start at byteOffset > 0: index the chunk, not chunk.buffer" },
);
