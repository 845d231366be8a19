import {
  multipartCodec,
  utf8Codec,
  zmqDealer,
  zmqEndpoint,
  zmqRouter,
  type ZmqEndpointKind,
} from "../../src";
import { rejectionOf } from "../support/timing";
import { bytes, expectCode, KINDS, OpenedEnds, text } from "./support";

jest.setTimeout(20_000);

describe.each(KINDS)("DEALER/ROUTER over %s", (kind: ZmqEndpointKind) => {
  const opened = new OpenedEnds();
  afterEach(() => opened.closeAll());

  it("tells the router who sent each message and routes each reply to that dealer", async () => {
    const router = opened.add(await zmqRouter(utf8Codec, { bind: zmqEndpoint(kind, "router") }));
    const alice = opened.add(
      await zmqDealer(utf8Codec, { connect: router.endpoint, routingId: "alice" }),
    );
    const bob = opened.add(
      await zmqDealer(utf8Codec, { connect: router.endpoint, routingId: "bob" }),
    );
    // No alternation: a dealer may send several messages before any reply.
    await alice.send("a1");
    await alice.send("a2");
    await bob.send("b1");
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { identity, message } = await router.recv({ timeoutMs: 5000 });
      seen.push(`${text(identity)}:${message}`);
      await router.sendTo(identity, `re ${message}`);
    }
    expect(seen.sort()).toEqual(["alice:a1", "alice:a2", "bob:b1"]);
    expect([await alice.recv({ timeoutMs: 5000 }), await alice.recv({ timeoutMs: 5000 })]).toEqual([
      "re a1",
      "re a2",
    ]);
    expect(await bob.recv({ timeoutMs: 5000 })).toBe("re b1");
  });

  it("rejects sendTo an identity nobody has, with PeerFailed", async () => {
    const router = opened.add(await zmqRouter(utf8Codec, { bind: zmqEndpoint(kind) }));
    expectCode(await rejectionOf(router.sendTo("nobody", "hello?")), "PeerFailed");
    const dealer = opened.add(
      await zmqDealer(utf8Codec, { connect: router.endpoint, routingId: "somebody" }),
    );
    await dealer.send("here");
    await router.recv({ timeoutMs: 5000 });
    await router.sendTo("somebody", "hi");
    expect(await dealer.recv({ timeoutMs: 5000 })).toBe("hi");
  });

  it("carries multipart messages both ways", async () => {
    const router = opened.add(await zmqRouter(multipartCodec, { bind: zmqEndpoint(kind) }));
    const dealer = opened.add(await zmqDealer(multipartCodec, { connect: router.endpoint }));
    await dealer.send([bytes("job"), new Uint8Array(0), bytes("42")]);
    const { identity, message } = await router.recv({ timeoutMs: 5000 });
    expect(message.map(text)).toEqual(["job", "", "42"]);
    expect(identity.byteLength).toBeGreaterThan(0);
    await router.sendTo(identity, [bytes("done"), bytes("42")]);
    expect((await dealer.recv({ timeoutMs: 5000 })).map(text)).toEqual(["done", "42"]);
  });

  it("fails pending receives on both ends with ChannelClosed on close", async () => {
    const router = opened.add(await zmqRouter(utf8Codec, { bind: zmqEndpoint(kind) }));
    const dealer = opened.add(await zmqDealer(utf8Codec, { connect: router.endpoint }));
    const atRouter = router.recv();
    const atDealer = dealer.recv();
    await dealer.close();
    await router.close();
    await router.close();
    expectCode(await rejectionOf(atRouter), "ChannelClosed");
    expectCode(await rejectionOf(atDealer), "ChannelClosed");
    expectCode(await rejectionOf(dealer.send("late")), "ChannelClosed");
    expect(dealer.closed && router.closed).toBe(true);
  });
});
