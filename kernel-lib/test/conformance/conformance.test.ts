/**
 * The channel contract (see src/channel.ts), checked over every transport in ./transports.
 * Each test opens a fresh pair, and afterEach proves nothing the transport made is left open.
 */
import { isChannelError, liveResources, type ChannelErrorCode } from "../../src";
import { seededRandom, sequencedPayload, sequenceOf } from "../support/random";
import { rejectionOf, settlesWithin } from "../support/timing";
import { transports, type OpenedPair } from "./transports";

jest.setTimeout(30_000);

function expectCode(err: unknown, code: ChannelErrorCode): void {
  if (!isChannelError(err, code)) {
    throw new Error(`expected a ChannelError with code ${code}, got: ${String(err)}`);
  }
}

for (const transport of transports) {
  describe(`channel contract over ${transport.name}`, () => {
    let opened: OpenedPair | undefined;
    const open = async (options?: { maxMessageBytes?: number }): Promise<OpenedPair> => {
      opened = await transport.open(options);
      return opened;
    };

    afterEach(async () => {
      await opened?.dispose();
      opened = undefined;
      expect(liveResources()).toEqual([]);
    });

    it("delivers messages of random sizes in order and intact", async () => {
      const { sender, receiver } = await open();
      const rand = seededRandom(42);
      const sizes = Array.from({ length: 300 }, (_, i) =>
        i % 50 === 0 ? 200_000 : Math.floor(rand() * 3000),
      );
      const sent = sizes.map((size, seq) => sequencedPayload(seq, size, rand));
      const sending = (async () => {
        for (const m of sent) await sender.send(m);
      })();
      for (let seq = 0; seq < sent.length; seq++) {
        const got = await receiver.recv({ timeoutMs: 10_000 });
        expect(sequenceOf(got)).toBe(seq);
        expect(Buffer.compare(got, sent[seq]!)).toBe(0);
      }
      await sending;
    });

    it("delivers zero-length messages as messages", async () => {
      const { sender, receiver } = await open();
      await sender.send(new Uint8Array(0));
      await sender.send(Uint8Array.of(7));
      expect((await receiver.recv({ timeoutMs: 5000 })).byteLength).toBe(0);
      expect([...(await receiver.recv({ timeoutMs: 5000 }))]).toEqual([7]);
    });

    it("times out a receive without consuming the message that comes later", async () => {
      const { sender, receiver } = await open();
      const err = await rejectionOf(receiver.recv({ timeoutMs: 50 }));
      expectCode(err, "Timeout");
      await sender.send(Uint8Array.of(1, 2, 3));
      expect([...(await receiver.recv({ timeoutMs: 5000 }))]).toEqual([1, 2, 3]);
    });

    it("rejects a receive whose signal is aborted", async () => {
      const { receiver } = await open();
      const controller = new AbortController();
      const pending = receiver.recv({ signal: controller.signal });
      controller.abort();
      expectCode(await rejectionOf(pending), "Aborted");
    });

    it("serves pending receives in call order", async () => {
      const { sender, receiver } = await open();
      const first = receiver.recv({ timeoutMs: 5000 });
      const second = receiver.recv({ timeoutMs: 5000 });
      await sender.send(Uint8Array.of(1));
      await sender.send(Uint8Array.of(2));
      expect([...(await first)]).toEqual([1]);
      expect([...(await second)]).toEqual([2]);
    });

    it("delivers what was sent before the sender closed, then ends iteration", async () => {
      const { sender, receiver } = await open();
      for (let i = 0; i < 10; i++) await sender.send(Uint8Array.of(i));
      await sender.close();
      const got: number[] = [];
      for await (const m of receiver) got.push(m[0]!);
      expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(receiver.closed).toBe(true);
      expectCode(await rejectionOf(receiver.recv({ timeoutMs: 1000 })), "ChannelClosed");
    });

    it("rejects sends after close, and closing twice is harmless", async () => {
      const { sender } = await open();
      await sender.close();
      await sender.close();
      expect(sender.closed).toBe(true);
      expectCode(await rejectionOf(sender.send(Uint8Array.of(1))), "ChannelClosed");
    });

    it("fails a pending receive with ChannelClosed when the receiver closes", async () => {
      const { receiver } = await open();
      const pending = receiver.recv();
      await receiver.close();
      await receiver.close();
      expectCode(await rejectionOf(pending), "ChannelClosed");
    });

    it("refuses a message over the size limit and keeps working", async () => {
      const { sender, receiver } = await open({ maxMessageBytes: 1024 });
      expectCode(await rejectionOf(sender.send(new Uint8Array(1025))), "MessageTooLarge");
      await sender.send(new Uint8Array(1024));
      expect((await receiver.recv({ timeoutMs: 5000 })).byteLength).toBe(1024);
    });

    if (transport.bounded === false) {
      it("accepts every send at once: the queue has no capacity limit", async () => {
        const { sender, receiver } = await open();
        const chunk = new Uint8Array(64 * 1024);
        for (let i = 0; i < 200; i++) {
          expect(await settlesWithin(sender.send(chunk), 1000)).toBe("settled");
        }
        for (let i = 0; i < 200; i++) await receiver.recv({ timeoutMs: 10_000 });
      });
    } else {
      it("makes the sender wait while nobody reads, and resumes when the reader drains", async () => {
        const { sender, receiver } = await open();
        const chunk = new Uint8Array(64 * 1024);
        let accepted = 0;
        // 64 MiB is far more than any pipe, socket buffer and user-space queue hold together.
        let blocked: Promise<void> | undefined;
        for (let i = 0; i < 1024; i++) {
          const p = sender.send(chunk);
          if ((await settlesWithin(p, 200)) === "pending") {
            blocked = p;
            break;
          }
          await p;
          accepted++;
        }
        expect(blocked).toBeDefined();
        expect(accepted).toBeGreaterThan(0);
        let read = 0;
        while (read <= accepted) {
          await receiver.recv({ timeoutMs: 10_000 });
          read++;
        }
        await blocked;
      });
    }
  });
}
