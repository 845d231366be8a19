import {
  jsonCodec,
  multipartCodec,
  utf8Codec,
  zmqEndpoint,
  zmqReplier,
  zmqRequester,
  type ZmqEndpointKind,
} from "../../src";
import { rejectionOf } from "../support/timing";
import { bytes, expectCode, KINDS, OpenedEnds, text } from "./support";

jest.setTimeout(20_000);

type Calc = { type: "add"; a: number; b: number } | { type: "sum"; value: number };

function expectAlternation(err: unknown, socket: "REQ" | "REP"): void {
  expectCode(err, "InvalidArgument");
  expect((err as Error).message).toContain(`${socket} alternation`);
}

describe.each(KINDS)("REQ/REP over %s", (kind: ZmqEndpointKind) => {
  const opened = new OpenedEnds();
  afterEach(() => opened.closeAll());

  const pair = async (relaxed = false) => {
    const server = opened.add(await zmqReplier(utf8Codec, { bind: zmqEndpoint(kind, "rep") }));
    const client = opened.add(await zmqRequester(utf8Codec, { connect: server.endpoint, relaxed }));
    // One round trip first, so the short timeouts below never race connection set-up.
    const ping = client.request("ping", { timeoutMs: 5000 });
    expect(await server.recv({ timeoutMs: 5000 })).toBe("ping");
    await server.reply("pong");
    expect(await ping).toBe("pong");
    return { server, client };
  };

  it("answers each request with its own reply, in turn", async () => {
    const server = opened.add(await zmqReplier(jsonCodec<Calc>(), { bind: zmqEndpoint(kind) }));
    const client = opened.add(await zmqRequester(jsonCodec<Calc>(), { connect: server.endpoint }));
    const serving = (async () => {
      for await (const req of server) {
        if (req.type === "add") await server.reply({ type: "sum", value: req.a + req.b });
      }
    })();
    for (let i = 0; i < 5; i++) {
      expect(await client.request({ type: "add", a: i, b: 10 }, { timeoutMs: 5000 })).toEqual({
        type: "sum",
        value: i + 10,
      });
    }
    await server.close();
    await serving; // iteration ends on close
  });

  it("carries multipart requests and replies", async () => {
    const server = opened.add(await zmqReplier(multipartCodec, { bind: zmqEndpoint(kind) }));
    const client = opened.add(await zmqRequester(multipartCodec, { connect: server.endpoint }));
    const answer = client.request([bytes("GET"), new Uint8Array(0), bytes("/x")]);
    const req = await server.recv({ timeoutMs: 5000 });
    expect(req.map(text)).toEqual(["GET", "", "/x"]);
    await server.reply([bytes("200"), bytes("ok")]);
    expect((await answer).map(text)).toEqual(["200", "ok"]);
  });

  it("rejects an overlapping request, naming REQ alternation", async () => {
    const { server, client } = await pair();
    const first = client.request("one", { timeoutMs: 5000 });
    expectAlternation(await rejectionOf(client.request("two")), "REQ");
    expect(await server.recv({ timeoutMs: 5000 })).toBe("one");
    await server.reply("1");
    expect(await first).toBe("1");
  });

  it("rejects reply() without a request and recv() before the reply, naming REP alternation", async () => {
    const { server, client } = await pair();
    expectAlternation(await rejectionOf(server.reply("nothing asked")), "REP");
    const answer = client.request("q");
    expect(await server.recv({ timeoutMs: 5000 })).toBe("q");
    expectAlternation(await rejectionOf(server.recv({ timeoutMs: 100 })), "REP");
    await server.reply("a");
    expect(await answer).toBe("a");
  });

  it("strict REQ: after a timeout, fails fast until the late reply arrives, then works", async () => {
    const { server, client } = await pair();
    expectCode(await rejectionOf(client.request("slow", { timeoutMs: 100 })), "Timeout");
    expectAlternation(await rejectionOf(client.request("too soon")), "REQ");
    expect(await server.recv({ timeoutMs: 5000 })).toBe("slow");
    await server.reply("late");
    const serving = server.recv({ timeoutMs: 5000 }).then((r) => server.reply(`answer to ${r}`));
    // The late reply is absorbed by the receive the timed-out request left behind; until it
    // has arrived, requests keep failing fast.
    let reply: string | undefined;
    for (let i = 0; i < 50 && reply === undefined; i++) {
      try {
        reply = await client.request("again", { timeoutMs: 5000 });
      } catch (err) {
        expectAlternation(err, "REQ");
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    expect(reply).toBe("answer to again");
    await serving;
  });

  it("relaxed REQ: a new request after a timeout gets its own reply, not the late one", async () => {
    const { server, client } = await pair(true);
    expectCode(await rejectionOf(client.request("first", { timeoutMs: 100 })), "Timeout");
    const second = client.request("second", { timeoutMs: 5000 });
    expect(await server.recv({ timeoutMs: 5000 })).toBe("first");
    await server.reply("reply to first");
    expect(await server.recv({ timeoutMs: 5000 })).toBe("second");
    await server.reply("reply to second");
    expect(await second).toBe("reply to second");
  });

  it("fails a pending request and a pending recv with ChannelClosed on close", async () => {
    const { server, client } = await pair();
    const request = client.request("never answered");
    expect(await server.recv({ timeoutMs: 5000 })).toBe("never answered");
    await client.close();
    await client.close();
    expectCode(await rejectionOf(request), "ChannelClosed");
    await server.reply("too late"); // the client is gone: dropped silently
    const pending = server.recv();
    await server.close();
    expectCode(await rejectionOf(pending), "ChannelClosed");
    expectCode(await rejectionOf(client.request("after close")), "ChannelClosed");
  });
});
