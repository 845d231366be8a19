/**
 * Every transport that joins the conformance suite: how to open a fresh pair of ends whose
 * messages travel through the real mechanism. A later transport adds one entry here.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import {
  bytesCodec,
  childPipes,
  createFifo,
  createOsPipe,
  framedReader,
  framedWriter,
  openFifoReader,
  openFifoWriter,
  programPath,
  startWorker,
  workerChannel,
  spawnEntry,
  type Receiver,
  type Sender,
} from "../../src";
import { BoundedQueue, messageQueueExists, mqueueSupport, unlinkMessageQueue } from "../../src";
import { openRecordChannel } from "../fixtures/mq-record-channel";
import { zmqEndpoint, zmqPull, zmqPush, type ZmqEndpointKind } from "../../src";

/** A fresh connection for one test. `dispose` releases everything `open` created. */
export interface OpenedPair {
  sender: Sender<Uint8Array>;
  receiver: Receiver<Uint8Array>;
  dispose(): Promise<void>;
}

export interface TransportUnderTest {
  name: string;
  /**
   * False for transports whose queue has no capacity (MessagePort): their senders never wait,
   * and the suite checks exactly that instead of backpressure.
   */
  bounded?: boolean;
  /** `maxMessageBytes` applies to both ends. */
  open(options?: { maxMessageBytes?: number }): Promise<OpenedPair>;
}

export const transports: TransportUnderTest[] = [
  {
    name: "worker thread (MessagePort, echo worker)",
    bounded: false,
    async open(options = {}) {
      const worker = startWorker(programPath("echo-worker"));
      const channel = workerChannel<Uint8Array>(worker, options);
      let ended = false;
      return {
        sender: {
          send: (m, o) => channel.send(m, o),
          // Half-close: the worker echoes what it has, closes its side and exits by itself.
          async close() {
            ended = true;
            await channel.endSend();
          },
          get closed() {
            return ended;
          },
        },
        receiver: channel,
        async dispose() {
          await channel.close();
          expect(await worker.stop()).toBe(0);
        },
      };
    },
  },
  {
    name: "anonymous pipe (in-process ends)",
    async open(options = {}) {
      const pipe = createOsPipe();
      const w = new net.Socket({ fd: pipe.writeFd, readable: false, writable: true });
      const r = new net.Socket({ fd: pipe.readFd, readable: true, writable: false });
      const sender = framedWriter(w, bytesCodec, options);
      const receiver = framedReader(r, bytesCodec, options);
      return {
        sender,
        receiver,
        async dispose() {
          await sender.close();
          await receiver.close();
        },
      };
    },
  },
  {
    name: "pipes through a child process (framed echo)",
    async open(options = {}) {
      const child = spawnEntry(programPath("framed-echo"));
      const { reader, writer } = childPipes(child, bytesCodec, options);
      return {
        // Closing the writer is EOF for the child, which then ends its stdout: the reader ends.
        sender: writer,
        receiver: reader,
        async dispose() {
          // Orderly shutdown: EOF to the child, read what it still echoes, then it exits 0.
          await writer.close();
          const drained = (async () => {
            for await (const _ of reader);
          })();
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([drained, new Promise((r) => (timer = setTimeout(r, 5000)))]);
          clearTimeout(timer);
          await reader.close();
          const exit = await child.stop();
          if (exit.code !== 0) throw new Error(`echo child exited with ${JSON.stringify(exit)}`);
        },
      };
    },
  },
  {
    name: "named pipe (FIFO)",
    async open(options = {}) {
      const fifo = createFifo("conformance");
      const receiver = openFifoReader(fifo.path, bytesCodec, options);
      const sender = await openFifoWriter(fifo.path, bytesCodec, { ...options, timeoutMs: 5000 });
      return {
        sender,
        receiver,
        async dispose() {
          await sender.close();
          await receiver.close();
          await fifo.remove();
          if (fs.existsSync(fifo.path)) throw new Error(`FIFO ${fifo.path} was not removed`);
        },
      };
    },
  },
];

// BoundedQueue: shared memory, here with both attachments in this thread (the suite's ends
// live in one thread; bounded-queue.test.ts runs the same queue across worker threads).
// Its recv() yields { message, priority }: this receiver hands on the message. close() closes
// the queue for every attachment, which is the end-of-stream the suite expects.
transports.push({
  name: "BoundedQueue (shared memory)",
  async open(options = {}) {
    const buffer = BoundedQueue.allocate({
      capacity: 16,
      maxMessageBytes: options.maxMessageBytes ?? 256 * 1024,
    });
    const sender = new BoundedQueue(buffer);
    const queue = new BoundedQueue(buffer);
    const receiver: Receiver<Uint8Array> = {
      recv: async (waitOptions) => (await queue.recv(waitOptions)).message,
      close: () => queue.close(),
      get closed() {
        return queue.closed;
      },
      async *[Symbol.asyncIterator]() {
        for await (const { message } of queue) yield message;
      },
    };
    return {
      sender,
      receiver,
      async dispose() {
        await sender.close();
        await receiver.close();
      },
    };
  },
});

// POSIX message queues hold at most msgsize_max bytes per message (8 KiB for users) and have
// no end-of-stream, both of which the suite needs: this entry runs it over a thin record
// layer (fixtures/mq-record-channel.ts explains it), so what is checked of the queue itself
// is order and integrity across many records, waiting when full, timeouts, abort, close and
// its own MessageTooLarge. Where POSIX queues are unavailable (macOS, addon not built) the
// entry is left out; mqueue.test.ts fails on Linux then, so CI cannot lose it silently.
let conformanceQueues = 0;
if (mqueueSupport().available) {
  transports.push({
    name: "POSIX message queue (records; end-of-stream told in-process)",
    async open(options = {}) {
      const name = `/ipc-course-conformance-${process.pid}-${conformanceQueues++}`;
      const { sender, receiver } = openRecordChannel(name, options.maxMessageBytes);
      return {
        sender,
        receiver,
        async dispose() {
          await sender.close();
          await receiver.close();
          unlinkMessageQueue(name);
          if (messageQueueExists(name)) throw new Error(`queue ${name} was not removed`);
        },
      };
    },
  });
}

// ZeroMQ PUSH/PULL over each endpoint kind. Two honest adaptations, both options of the
// transport rather than changes to the suite:
// - ZeroMQ has no end-of-stream, so both ends use the end marker (zmqPush's close() sends it,
//   zmqPull ends after it); without it a PULL ends only when closed locally.
// - ZeroMQ's default high-water marks (1000 messages per side) would hold more than the
//   suite's 64 MiB probe of 64 KiB messages; with 16 per side the probe sees PUSH wait.
for (const kind of ["inproc", "ipc", "tcp"] as const satisfies readonly ZmqEndpointKind[]) {
  transports.push({
    name: `ZeroMQ PUSH/PULL over ${kind} (end marker)`,
    async open(options = {}) {
      const common = { ...options, sendHighWaterMark: 16, receiveHighWaterMark: 16 };
      const receiver = await zmqPull(bytesCodec, {
        ...common,
        bind: zmqEndpoint(kind, "conformance"),
        endMarker: true,
      });
      const sender = await zmqPush(bytesCodec, {
        ...common,
        connect: receiver.endpoint,
        endMarker: true,
      });
      return {
        sender,
        receiver,
        async dispose() {
          await sender.close();
          await receiver.close();
          const file = receiver.endpoint.startsWith("ipc://") ? receiver.endpoint.slice(6) : "";
          if (file && fs.existsSync(file)) throw new Error(`ipc socket ${file} was not removed`);
        },
      };
    },
  });
}
