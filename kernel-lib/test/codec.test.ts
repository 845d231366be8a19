import {
  bytesCodec,
  encodeFrame,
  FrameDecoder,
  isChannelError,
  jsonCodec,
  utf8Codec,
  type ChannelErrorCode,
} from "../src";
import { seededRandom } from "./support/random";

function codeOf(fn: () => unknown): ChannelErrorCode | string {
  try {
    fn();
  } catch (err) {
    return isChannelError(err) ? err.code : `non-channel error: ${String(err)}`;
  }
  return "no error";
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const concat = (parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);

describe("encodeFrame", () => {
  it("prefixes the payload with its big-endian 4-byte length", () => {
    expect([...encodeFrame(text("hi"))]).toEqual([0, 0, 0, 2, 104, 105]);
    expect([...encodeFrame(new Uint8Array(0))]).toEqual([0, 0, 0, 0]);
    expect([...encodeFrame(new Uint8Array(258)).subarray(0, 4)]).toEqual([0, 0, 1, 2]);
  });

  it("refuses a payload over the limit with MessageTooLarge", () => {
    expect(codeOf(() => encodeFrame(new Uint8Array(11), 10))).toBe("MessageTooLarge");
  });

  it("refuses a nonsense limit with InvalidArgument", () => {
    expect(codeOf(() => encodeFrame(new Uint8Array(1), -1))).toBe("InvalidArgument");
  });
});

describe("FrameDecoder", () => {
  it("returns several frames that arrive in one chunk, in order", () => {
    const dec = new FrameDecoder();
    const out = dec.push(concat([encodeFrame(text("a")), encodeFrame(text("bc"))]));
    expect(out.map((b) => Buffer.from(b).toString())).toEqual(["a", "bc"]);
  });

  it("reassembles a frame split byte by byte", () => {
    const dec = new FrameDecoder();
    const frame = encodeFrame(text("hello"));
    const got: Uint8Array[] = [];
    for (const byte of frame) got.push(...dec.push(Uint8Array.of(byte)));
    expect(got.map((b) => Buffer.from(b).toString())).toEqual(["hello"]);
    expect(dec.pendingBytes).toBe(0);
  });

  it("delivers zero-length frames", () => {
    const dec = new FrameDecoder();
    expect(
      dec.push(concat([encodeFrame(new Uint8Array(0)), encodeFrame(new Uint8Array(0))])).length,
    ).toBe(2);
  });

  it("survives any chunking of a seeded random stream", () => {
    const rand = seededRandom(7);
    const payloads = Array.from({ length: 200 }, () =>
      Uint8Array.from({ length: Math.floor(rand() * 300) }, () => (rand() * 256) | 0),
    );
    const stream = concat(payloads.map((p) => encodeFrame(p)));
    const dec = new FrameDecoder();
    const got: Uint8Array[] = [];
    for (let i = 0; i < stream.length;) {
      const n = 1 + Math.floor(rand() * 700);
      got.push(...dec.push(stream.subarray(i, i + n)));
      i += n;
    }
    dec.end();
    expect(got.length).toBe(payloads.length);
    got.forEach((g, i) => expect(Buffer.compare(g, payloads[i]!)).toBe(0));
  });

  it("rejects a header announcing more than the limit before buffering it", () => {
    const dec = new FrameDecoder(100);
    expect(codeOf(() => dec.push(Uint8Array.of(0xff, 0xff, 0xff, 0xff)))).toBe("MessageTooLarge");
    // The stream has lost its boundaries: the decoder stays failed.
    expect(codeOf(() => dec.push(encodeFrame(text("ok"))))).toBe("MessageTooLarge");
  });

  it("reports a stream that ends inside a frame as CorruptFrame", () => {
    const dec = new FrameDecoder();
    dec.push(encodeFrame(text("abc")).subarray(0, 5));
    expect(codeOf(() => dec.end())).toBe("CorruptFrame");
  });

  it("accepts a stream that ends on a frame boundary", () => {
    const dec = new FrameDecoder();
    dec.push(encodeFrame(text("abc")));
    expect(codeOf(() => dec.end())).toBe("no error");
  });
});

describe("codecs", () => {
  it("round-trip their values", () => {
    expect(utf8Codec.decode(utf8Codec.encode("héllo ✓"))).toBe("héllo ✓");
    const json = jsonCodec<{ type: "ping"; seq: number }>();
    expect(json.decode(json.encode({ type: "ping", seq: 3 }))).toEqual({ type: "ping", seq: 3 });
    const bytes = Uint8Array.of(1, 2);
    expect(bytesCodec.decode(bytesCodec.encode(bytes))).toBe(bytes);
  });

  it("name what was wrong with bad input", () => {
    expect(codeOf(() => utf8Codec.decode(Uint8Array.of(0xff)))).toBe("CorruptFrame");
    expect(codeOf(() => jsonCodec().decode(text("{nope")))).toBe("CorruptFrame");
    expect(codeOf(() => jsonCodec().encode(undefined))).toBe("InvalidArgument");
    expect(codeOf(() => utf8Codec.encode(42 as unknown as string))).toBe("InvalidArgument");
    expect(codeOf(() => bytesCodec.encode("x" as unknown as Uint8Array))).toBe("InvalidArgument");
  });
});
