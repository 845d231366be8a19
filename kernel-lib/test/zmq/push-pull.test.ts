import {
  multipartCodec,
  utf8Codec,
  zmqEndpoint,
  zmqPull,
  zmqPush,
  type ZmqEndpointKind,
} from "../../src";
import { rejectionOf } from "../support/timing";
import { bytes, expectCode, KINDS, OpenedEnds, text } from "./support";

jest.setTimeout(20_000);

describe.each(KINDS)("PUSH/PULL over %s", (kind: ZmqEndpointKind) => {
  const opened = new OpenedEnds();
  afterEach(() => opened.closeAll());

  it("delivers multipart messages whole, in order, with zero-length frames", async () => {
    const rx = opened.add(await zmqPull(multipartCodec, { bind: zmqEndpoint(kind, "pull") }));
    const tx = opened.add(await zmqPush(multipartCodec, { connect: rx.endpoint }));
    const sent = [
      [bytes("header"), new Uint8Array(0), bytes("body")],
      [new Uint8Array(0)],
      [bytes("x".repeat(5000)), bytes("y")],
    ];
    for (const m of sent) await tx.send(m);
    for (const expected of sent) {
      const got = await rx.recv({ timeoutMs: 5000 });
      expect(got.map(text)).toEqual(expected.map(text));
    }
  });

  it("ends the stream after the sender's end marker and releases the socket", async () => {
    const rx = opened.add(await zmqPull(utf8Codec, { bind: zmqEndpoint(kind), endMarker: true }));
    const tx = opened.add(await zmqPush(utf8Codec, { connect: rx.endpoint, endMarker: true }));
    for (const word of ["a", "b", "c"]) await tx.send(word);
    await tx.close();
    const got: string[] = [];
    for await (const word of rx) got.push(word);
    expect(got).toEqual(["a", "b", "c"]);
    expect(rx.closed).toBe(true);
    expect(rx.socket.closed).toBe(true);
  });

  it("waits for one end marker per sender when told how many senders feed it", async () => {
    const rx = opened.add(await zmqPull(utf8Codec, { bind: zmqEndpoint(kind), endMarker: 2 }));
    const a = opened.add(await zmqPush(utf8Codec, { connect: rx.endpoint, endMarker: true }));
    const b = opened.add(await zmqPush(utf8Codec, { connect: rx.endpoint, endMarker: true }));
    await a.send("a1");
    await a.close();
    await b.send("b1");
    await b.send("b2");
    await b.close();
    const got: string[] = [];
    for await (const m of rx) got.push(m);
    expect(got.sort()).toEqual(["a1", "b1", "b2"]);
  });

  it("has no end-of-stream without the marker: the receiver outlives a closed sender", async () => {
    const rx = opened.add(await zmqPull(utf8Codec, { bind: zmqEndpoint(kind) }));
    const tx = opened.add(await zmqPush(utf8Codec, { connect: rx.endpoint }));
    await tx.send("last");
    await tx.close();
    expect(await rx.recv({ timeoutMs: 5000 })).toBe("last");
    expectCode(await rejectionOf(rx.recv({ timeoutMs: 150 })), "Timeout");
    expect(rx.closed).toBe(false);
  });

  it("keeps call order when a plain recv, a timed recv and an iterator wait at once", async () => {
    const rx = opened.add(await zmqPull(utf8Codec, { bind: zmqEndpoint(kind) }));
    const tx = opened.add(await zmqPush(utf8Codec, { connect: rx.endpoint }));
    // The first waits on the socket directly, the others in the inbox: order must hold anyway.
    const first = rx.recv();
    const second = rx.recv({ timeoutMs: 5000 });
    const third = rx[Symbol.asyncIterator]().next();
    for (const word of ["a", "b", "c"]) await tx.send(word);
    expect([await first, await second, (await third).value]).toEqual(["a", "b", "c"]);
  });

  it("fails a one-frame receiver with CorruptFrame when a multipart message arrives", async () => {
    const rx = opened.add(await zmqPull(utf8Codec, { bind: zmqEndpoint(kind) }));
    const tx = opened.add(await zmqPush(multipartCodec, { connect: rx.endpoint }));
    await tx.send([bytes("two"), bytes("frames")]);
    expectCode(await rejectionOf(rx.recv({ timeoutMs: 5000 })), "CorruptFrame");
  });

  it("fails the receiver with MessageTooLarge when a peer sends over its limit", async () => {
    const rx = opened.add(
      await zmqPull(multipartCodec, { bind: zmqEndpoint(kind), maxMessageBytes: 100 }),
    );
    const tx = opened.add(await zmqPush(multipartCodec, { connect: rx.endpoint }));
    await tx.send([new Uint8Array(60)]);
    await tx.send([new Uint8Array(60), new Uint8Array(60)]);
    expect((await rx.recv({ timeoutMs: 5000 }))[0]!.byteLength).toBe(60);
    expectCode(await rejectionOf(rx.recv({ timeoutMs: 5000 })), "MessageTooLarge");
  });
});
