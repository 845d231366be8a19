/**
 * Worker program of the ex04 tests: a queue agent. It attaches the learner's BoundedQueue to the
 * buffer of each command and makes the call the command names, one command at a time (see
 * protocol.ts). The learner's blocking calls block this thread only; the test thread watches
 * the replies, and stops the agent (terminate, if it is stuck) when the test ends.
 *
 * workerData: AgentData.
 */
import { workerData } from "node:worker_threads";
import { isChannelError, parentChannel } from "kernel-lib";
import type * as BoundedQueueModule from "../../../../exercises/ex04-bounded-queue/bounded-queue";
import type * as SharedLockModule from "../../../../exercises/ex04-bounded-queue/shared-lock";
import {
  COUNTER_GO,
  COUNTER_LOCK,
  COUNTER_VALUE,
  decodeRecord,
  encodeRecord,
  planRecords,
  type AgentCommand,
  type AgentData,
  type AgentReply,
  type ConsumeResult,
  type ConsumedRecord,
  type QueueCall,
  type ReceivedValue,
} from "./protocol";

const data = workerData as AgentData;

/** Loads a learner file; a file that does not load fails every command with the reason. */
function load<T>(file: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file) as T;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`could not load ${file}: ${why}`, { cause: err });
  }
}

/**
 * What a receive returned, safe to post: the bytes copied out, and whether the learner's
 * message was a view on shared memory (the queue's buffer, whose slot the next send reuses)
 * rather than a copy. Posting such a view would share the buffer with the test, not copy it.
 */
function received(got: BoundedQueueModule.ReceivedMessage): ReceivedValue {
  const { message, priority } = got;
  const isView = ArrayBuffer.isView(message);
  return {
    message: isView ? new Uint8Array(message) : new Uint8Array(0),
    priority,
    shared:
      isView && Object.prototype.toString.call(message.buffer) === "[object SharedArrayBuffer]",
    kind: Object.prototype.toString.call(message),
  };
}

/** Makes one call into the learner's queue; returns what to report as `value`. */
function callQueue(call: QueueCall, buffer: SharedArrayBuffer): unknown {
  const { BoundedQueue } = load<typeof BoundedQueueModule>(data.queueFile);
  const queue = new BoundedQueue(buffer);
  switch (call.op) {
    case "trySend":
      queue.trySend(call.message, call.priority ?? 0);
      return undefined;
    case "sendSync":
      queue.sendSync(call.message, {
        ...(call.priority === undefined ? {} : { priority: call.priority }),
        timeoutMs: call.timeoutMs,
      });
      return undefined;
    case "tryRecv":
      return received(queue.tryRecv());
    case "recvSync":
      return received(queue.recvSync({ timeoutMs: call.timeoutMs }));
    case "close":
      queue.close();
      return undefined;
    case "produce": {
      const plan = planRecords(call.seed, call.count, call.priorities, call.maxMessageBytes);
      for (const [seq, { priority, payloadBytes }] of plan.entries()) {
        const message = encodeRecord(call.producer, seq, priority, payloadBytes);
        queue.sendSync(message, { priority, timeoutMs: call.timeoutMs });
      }
      return { sent: plan.length };
    }
    case "relay": {
      const next = new BoundedQueue(call.to);
      for (let n = 0; n < call.count; n++) {
        const { message, priority } = queue.recvSync({ timeoutMs: call.timeoutMs });
        next.sendSync(message, { priority, timeoutMs: call.timeoutMs });
      }
      return { relayed: call.count };
    }
    case "consume": {
      const records: ConsumedRecord[] = [];
      let end = "max";
      while (call.max === undefined || records.length < call.max) {
        try {
          const { message, priority } = queue.recvSync({ timeoutMs: call.timeoutMs });
          records.push(decodeRecord(message, priority));
        } catch (err) {
          // A ChannelError ends the run and says why; anything else is the learner's bug.
          if (!isChannelError(err)) throw err;
          end = err.code;
          break;
        }
      }
      const result: ConsumeResult = { records, end };
      return result;
    }
  }
}

/** The mutex test: `iterations` increments of a plain counter, each under the learner's lock. */
function countUp(buffer: SharedArrayBuffer, iterations: number): unknown {
  const { SharedMutex } = load<typeof SharedLockModule>(data.lockFile);
  const i32 = new Int32Array(buffer);
  const mutex = new SharedMutex(i32, COUNTER_LOCK);
  // Every agent starts counting at the same moment, so that their loops overlap.
  if (Atomics.wait(i32, COUNTER_GO, 0, 20_000) === "timed-out") {
    throw new Error("countUp: the test never said go");
  }
  let noise = 0;
  for (let n = 0; n < iterations; n++) {
    mutex.lock();
    // A read-modify-write in plain steps, with a little work in between: without mutual
    // exclusion another thread's increment lands in the gap and one of the two is lost.
    const value = i32[COUNTER_VALUE]!;
    for (let k = 0; k < 20; k++) noise = (noise * 31 + k) | 0;
    i32[COUNTER_VALUE] = value + 1;
    mutex.unlock();
  }
  return { iterations, noise };
}

function run(command: AgentCommand): unknown {
  if (command.op === "countUp") return countUp(command.buffer, command.iterations);
  return callQueue(command, command.buffer);
}

async function main(): Promise<void> {
  const parent = parentChannel<AgentCommand | AgentReply>({ label: `${data.name}'s parent` });
  for await (const message of parent) {
    const command = message as AgentCommand;
    // Posted before the call: while the call blocks this thread, the test already knows.
    await parent.send({ type: "started", op: command.op });
    const started = performance.now();
    let reply: AgentReply;
    try {
      const value = run(command);
      reply = { type: "done", op: command.op, value, ms: performance.now() - started };
    } catch (err) {
      const e = err as { code?: unknown; name?: unknown; message?: unknown };
      reply = {
        type: "failed",
        op: command.op,
        code: isChannelError(err) ? err.code : typeof e?.name === "string" ? e.name : "Error",
        message: typeof e?.message === "string" ? e.message : String(err),
        ms: performance.now() - started,
      };
    }
    await parent.send(reply);
    if (command.exitAfter) break;
  }
  // Nothing else is open: the thread ends.
  await parent.close();
}

void main();
