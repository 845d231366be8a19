/**
 * What a fast sender meets when the receiver is slow, per pattern: PUSH waits (send() stays
 * pending), PUB drops (the subscriber gets only what its queues held). Counts are bounded by
 * the high-water marks set here, plus the receiver's read-ahead, plus (ipc, tcp) whatever the
 * kernel's socket buffers hold.
 */
import {
  bytesCodec,
  zmqEndpoint,
  zmqPublisher,
  zmqPull,
  zmqPush,
  zmqSubscriber,
  type ZmqEndpointKind,
} from "../../src";
import { sequenceOf } from "../support/random";
import { settlesWithin } from "../support/timing";
import { expectCode, KINDS, OpenedEnds } from "./support";

jest.setTimeout(20_000);

const HWM = 10;
const READ_AHEAD = 1;
const SIZE = 16 * 1024;
/** What ZeroMQ itself can hold between a sender and a receiver that is not reading. */
const ZMQ_QUEUES = HWM + HWM + READ_AHEAD;
/** A SIZE-byte message whose first 4 bytes are `seq` (see `sequenceOf`). */
function stamped(seq: number): Uint8Array {
  const out = new Uint8Array(SIZE);
  new DataView(out.buffer).setUint32(0, seq);
  return out;
}

/** Receives until nothing more arrives within `quietMs`; returns the sequence numbers. */
async function drain(
  recv: (o: { timeoutMs: number }) => Promise<Uint8Array>,
  quietMs: number,
): Promise<number[]> {
  const got: number[] = [];
  for (;;) {
    try {
      got.push(sequenceOf(await recv({ timeoutMs: quietMs })));
    } catch (err) {
      expectCode(err, "Timeout");
      return got;
    }
  }
}

/** Headroom for the kernel's socket buffers (ipc, tcp) measured in messages of SIZE bytes. */
const KERNEL_SLACK: Record<ZmqEndpointKind, number> = { inproc: 0, ipc: 64, tcp: 1024 };

describe.each(KINDS)("backpressure over %s", (kind: ZmqEndpointKind) => {
  const opened = new OpenedEnds();
  afterEach(() => opened.closeAll());
  const limits = { sendHighWaterMark: HWM, receiveHighWaterMark: HWM, readAhead: READ_AHEAD };

  it("PUSH: send() waits once the queues are full, and resumes when the reader reads", async () => {
    const rx = opened.add(await zmqPull(bytesCodec, { bind: zmqEndpoint(kind), ...limits }));
    const tx = opened.add(await zmqPush(bytesCodec, { connect: rx.endpoint, ...limits }));
    let accepted = 0;
    let blocked: Promise<void> | undefined;
    while (accepted < ZMQ_QUEUES + KERNEL_SLACK[kind] + 100) {
      const p = tx.send(stamped(accepted));
      if ((await settlesWithin(p, 300)) === "pending") {
        blocked = p;
        break;
      }
      await p;
      accepted++;
    }
    expect({ blocked: blocked !== undefined, accepted }).toEqual({ blocked: true, accepted });
    // Both high-water marks at least; the read-ahead may not count, because ZeroMQ returns
    // credit to the sender in batches, not per message read.
    expect(accepted).toBeGreaterThanOrEqual(2 * HWM);
    expect(accepted).toBeLessThanOrEqual(ZMQ_QUEUES + KERNEL_SLACK[kind]);
    // Reading makes room: the blocked send completes, and nothing was lost or reordered.
    for (let seq = 0; seq <= accepted; seq++) {
      expect(sequenceOf(await rx.recv({ timeoutMs: 5000 }))).toBe(seq);
    }
    await blocked;
  });

  it("PUSH: a send that times out while blocked is never delivered", async () => {
    const rx = opened.add(await zmqPull(bytesCodec, { bind: zmqEndpoint(kind), ...limits }));
    const tx = opened.add(await zmqPush(bytesCodec, { connect: rx.endpoint, ...limits }));
    let seq = 0;
    for (;;) {
      const err = await tx.send(stamped(seq), { timeoutMs: 100 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (err) {
        expectCode(err, "Timeout");
        break;
      }
      seq++;
    }
    const timedOut = seq;
    // The next send waits for room too; reading makes it, and the timed-out one never shows.
    const next = tx.send(stamped(timedOut + 1));
    const got = await drain((o) => rx.recv(o), 300);
    await next;
    expect(got).toEqual([...Array.from({ length: timedOut }, (_, i) => i), timedOut + 1]);
  });

  it("PUB: a fast publisher never waits; a slow subscriber gets only what fits", async () => {
    const pub = opened.add(await zmqPublisher(bytesCodec, { bind: zmqEndpoint(kind), ...limits }));
    const sub = opened.add(
      await zmqSubscriber(bytesCodec, { connect: pub.endpoint, topics: [""], ...limits }),
    );
    await pub.waitForSubscribers("t", 1, { timeoutMs: 5000 });
    const published = 2000;
    const publishing = (async () => {
      for (let seq = 0; seq < published; seq++) await pub.send("t", stamped(seq));
    })();
    // Never waiting on the subscriber, the publisher is done long before any timeout.
    expect(await settlesWithin(publishing, 5000)).toBe("settled");
    await publishing;
    // Only now does the subscriber read: it finds what its queues held when it fell behind.
    const received = await drain(async (o) => (await sub.recv(o)).message, 300);
    expect(received.length).toBeGreaterThan(0);
    expect(received.length).toBeLessThanOrEqual(ZMQ_QUEUES + KERNEL_SLACK[kind]);
    expect(received.length).toBeLessThan(published);
    // What arrived is in publish order: the losses are gaps, never reordering.
    expect([...received].sort((a, b) => a - b)).toEqual(received);
  });
});
