import {
  multipartCodec,
  utf8Codec,
  zmqEndpoint,
  zmqPublisher,
  zmqSubscriber,
  type TopicMessage,
  type ZmqEndpointKind,
} from "../../src";
import { rejectionOf } from "../support/timing";
import { bytes, expectCode, KINDS, OpenedEnds, text } from "./support";

jest.setTimeout(20_000);

describe.each(KINDS)("PUB/SUB over %s", (kind: ZmqEndpointKind) => {
  const opened = new OpenedEnds();
  afterEach(() => opened.closeAll());

  it("delivers only topics that start with a subscribed prefix, as { topic, message }", async () => {
    const pub = opened.add(await zmqPublisher(utf8Codec, { bind: zmqEndpoint(kind, "pub") }));
    const sub = opened.add(
      await zmqSubscriber(utf8Codec, { connect: pub.endpoint, topics: ["weather."] }),
    );
    await pub.waitForSubscribers("weather.paris", 1, { timeoutMs: 5000 });
    await pub.send("sports.tennis", "ignored");
    await pub.send("weather.paris", "rain");
    await pub.send("weatherman", "not under the 'weather.' prefix");
    await pub.send("weather.oslo", "snow");
    const got: TopicMessage<string>[] = [];
    for (let i = 0; i < 2; i++) got.push(await sub.recv({ timeoutMs: 5000 }));
    expect(got).toEqual([
      { topic: "weather.paris", message: "rain" },
      { topic: "weather.oslo", message: "snow" },
    ]);
    expectCode(await rejectionOf(sub.recv({ timeoutMs: 100 })), "Timeout");
  });

  it("fans each message out to every matching subscriber, multipart bodies whole", async () => {
    const pub = opened.add(await zmqPublisher(multipartCodec, { bind: zmqEndpoint(kind) }));
    const all = opened.add(
      await zmqSubscriber(multipartCodec, { connect: pub.endpoint, topics: [""] }),
    );
    const logs = opened.add(
      await zmqSubscriber(multipartCodec, { connect: pub.endpoint, topics: ["log"] }),
    );
    await pub.waitForSubscribers("log", 2, { timeoutMs: 5000 });
    await pub.send("log", [bytes("level=info"), new Uint8Array(0), bytes("started")]);
    for (const sub of [all, logs]) {
      const { topic, message } = await sub.recv({ timeoutMs: 5000 });
      expect([topic, ...message.map(text)]).toEqual(["log", "level=info", "", "started"]);
    }
  });

  it("stops delivering a topic after unsubscribe", async () => {
    const pub = opened.add(await zmqPublisher(utf8Codec, { bind: zmqEndpoint(kind) }));
    const sub = opened.add(
      await zmqSubscriber(utf8Codec, { connect: pub.endpoint, topics: ["a", "b"] }),
    );
    await pub.waitForSubscribers("a", 1, { timeoutMs: 5000 });
    sub.unsubscribe("a");
    // Subscription changes travel upstream in order: once "sync" is seen, so was the unsubscribe.
    sub.subscribe("sync");
    await pub.waitForSubscribers("sync", 1, { timeoutMs: 5000 });
    await pub.send("a", "dropped");
    await pub.send("b", "kept");
    expect(await sub.recv({ timeoutMs: 5000 })).toEqual({ topic: "b", message: "kept" });
  });

  it("waitForSubscribers times out while nobody subscribes", async () => {
    const pub = opened.add(await zmqPublisher(utf8Codec, { bind: zmqEndpoint(kind) }));
    expectCode(await rejectionOf(pub.waitForSubscribers("x", 1, { timeoutMs: 100 })), "Timeout");
    const waiting = pub.waitForSubscribers("x", 1);
    await pub.close();
    expectCode(await rejectionOf(waiting), "ChannelClosed");
    expectCode(await rejectionOf(pub.send("x", "after close")), "ChannelClosed");
  });

  it("ends a subscriber's iteration and fails its pending recv on close", async () => {
    const pub = opened.add(await zmqPublisher(utf8Codec, { bind: zmqEndpoint(kind) }));
    const sub = opened.add(await zmqSubscriber(utf8Codec, { connect: pub.endpoint, topics: [""] }));
    const pending = sub.recv();
    const iterating = (async () => {
      const seen: string[] = [];
      for await (const m of sub) seen.push(m.message);
      return seen;
    })();
    await sub.close();
    expectCode(await rejectionOf(pending), "ChannelClosed");
    expect(await iterating).toEqual([]);
    expect(() => sub.subscribe()).toThrow(/at least one prefix/);
  });
});
