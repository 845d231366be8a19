/**
 * Benchmark: kernel-lib's ZeroMQ channel (zmqPush -> zmqPull) side by side with raw zeromq.js
 * (Push -> Pull), same pattern and same setup: the main thread sends, a worker thread
 * (`zmq-sink.ts`) receives and counts, over ipc (and tcp in the full run). Every round is
 * verified by the sink's count of messages and bytes, so a lossy run fails instead of
 * reporting a speed. Goal: kernel-lib >= 0.9x raw zeromq.js at every size.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Worker } from "node:worker_threads";
import { Push } from "zeromq";
import { bytesCodec, closeAll, startWorker, zmqPush, type WorkerHandle } from "../src";
import { makePrivateDir } from "../src/transports/os-pipe";
import {
  formatSize,
  MESSAGE_SIZES,
  messageCount,
  printComparison,
  ratioAt,
  timed,
  type Measurement,
} from "./harness";
import type { SinkData, SinkReport, SinkVariant } from "./zmq-sink";

const GOAL = 0.9;
const RAW: SinkVariant = "zeromq.js";
const KERNEL_LIB: SinkVariant = "kernel-lib";
const sinkEntry = path.join(__dirname, "zmq-sink.ts");

/** One sender/sink pair of one variant, reused for every round. */
interface Lane {
  variant: SinkVariant;
  sink: WorkerHandle;
  /** Messages and bytes sent so far (the sink counts cumulatively). */
  messages: number;
  bytes: number;
  /** Sends `count` copies of `payload`, awaiting each send as a user of the library would. */
  sendMany(payload: Uint8Array, count: number): Promise<void>;
  close(): Promise<void>;
}

function nextReport<T extends SinkReport["type"]>(
  worker: Worker,
  type: T,
  timeoutMs: number,
): Promise<Extract<SinkReport, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      worker.off("message", onMessage);
      reject(new Error(`no "${type}" from the sink within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (msg: SinkReport): void => {
      if (msg.type !== type) return;
      clearTimeout(timer);
      worker.off("message", onMessage);
      resolve(msg as Extract<SinkReport, { type: T }>);
    };
    worker.on("message", onMessage);
  });
}

async function openLane(variant: SinkVariant, address: string): Promise<Lane> {
  const sink = startWorker(sinkEntry, {
    workerData: { variant, address } satisfies SinkData,
    graceMs: 5000,
  });
  const { endpoint } = await nextReport(sink.worker, "ready", 30_000);
  const lane = { variant, sink, messages: 0, bytes: 0 };
  if (variant === RAW) {
    const push = new Push({ linger: 1000 });
    push.connect(endpoint);
    return {
      ...lane,
      async sendMany(payload, count) {
        for (let i = 0; i < count; i++) await push.send(payload);
      },
      close: async () => push.close(),
    };
  }
  const tx = await zmqPush(bytesCodec, { connect: endpoint });
  return {
    ...lane,
    async sendMany(payload, count) {
      for (let i = 0; i < count; i++) await tx.send(payload);
    },
    close: () => tx.close(),
  };
}

/** A measurement with the CPU time its (median) round used, whole process. */
interface ZmqMeasurement extends Measurement {
  cpuSeconds: number;
}

/** What one round took: wall time, and CPU time of the whole process (all its threads). */
interface RoundCost {
  seconds: number;
  cpuSeconds: number;
}

/** One round: send `count` messages and wait for the sink to count them all. */
async function round(lane: Lane, payload: Uint8Array, count: number): Promise<RoundCost> {
  lane.messages += count;
  lane.bytes += count * payload.byteLength;
  const counted = nextReport(lane.sink.worker, "counted", 120_000);
  lane.sink.worker.postMessage({ type: "expect", total: lane.messages });
  const cpuBefore = process.cpuUsage();
  const seconds = await timed(async () => {
    await lane.sendMany(payload, count);
    await counted;
  });
  const cpu = process.cpuUsage(cpuBefore);
  const got = await counted;
  if (got.messages !== lane.messages || got.bytes !== lane.bytes) {
    throw new Error(
      `${lane.variant} at ${payload.byteLength} B lost data: sent ${lane.messages} messages ` +
        `(${lane.bytes} bytes) in all, the sink counted ${got.messages} (${got.bytes} bytes)`,
    );
  }
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** The middle value (the mean of the two middle ones for an even count). */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Measures both variants over one transport. Rounds alternate between the variants (and
 * which goes first), so load from elsewhere on the machine hits both alike, and each variant
 * reports its median round: on a busy machine the best round is luck, the median is not.
 * A round sends as many messages as the faster variant moved in `roundSeconds` during the
 * warm-up, the same count for both, so every size is timed over a similar span.
 */
async function measureKind(kind: "ipc" | "tcp", quick: boolean): Promise<ZmqMeasurement[]> {
  const dir = makePrivateDir("ipc-course-bench-zmq-");
  const address = (name: string): string =>
    kind === "tcp" ? "tcp://127.0.0.1:0" : `ipc://${path.join(dir, `${name}.sock`)}`;
  const lanes: Lane[] = [];
  const results: ZmqMeasurement[] = [];
  const runs = quick ? 3 : 9;
  const roundSeconds = quick ? 0.05 : 0.2;
  try {
    lanes.push(await openLane(RAW, address("raw")), await openLane(KERNEL_LIB, address("lib")));
    for (const size of MESSAGE_SIZES) {
      const payload = new Uint8Array(size).fill(7);
      const warmUp = messageCount(size, 8 << 20, 5000);
      const rates = [];
      for (const lane of lanes) {
        rates.push(warmUp / (await round(lane, payload, warmUp)).seconds);
      }
      const count = Math.max(32, Math.round(Math.max(...rates) * roundSeconds));
      const costs = new Map<SinkVariant, RoundCost[]>(lanes.map((l) => [l.variant, []]));
      for (let r = 0; r < runs; r++) {
        for (const lane of r % 2 === 0 ? lanes : [...lanes].reverse()) {
          costs.get(lane.variant)!.push(await round(lane, payload, count));
        }
      }
      for (const [variant, rounds] of costs) {
        const seconds = median(rounds.map((c) => c.seconds));
        const cpuSeconds = median(rounds.map((c) => c.cpuSeconds));
        results.push({ variant, size, messages: count, seconds, cpuSeconds });
      }
    }
  } finally {
    for (const lane of lanes) {
      await lane.close();
      // A sink that had to be terminated (exit code 1) did not close its socket on the stop
      // message: report it rather than hide it.
      const code = await lane.sink.stop();
      if (code !== 0) console.error(`${lane.variant} sink exited with code ${code}`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

/**
 * Prints CPU time per message. Unlike messages per second it does not depend on what else
 * the machine is running: a busy machine slows both variants' wall clock, not their CPU use.
 */
function printCpu(kind: string, results: ZmqMeasurement[]): void {
  const perMessage = (size: number, variant: SinkVariant): number => {
    const m = results.find((r) => r.size === size && r.variant === variant);
    return m ? (m.cpuSeconds / m.messages) * 1e6 : NaN;
  };
  console.log(`CPU time per message over ${kind} (whole process: both threads and ZeroMQ's):`);
  for (const size of MESSAGE_SIZES) {
    const raw = perMessage(size, RAW);
    const lib = perMessage(size, KERNEL_LIB);
    console.log(
      `  ${formatSize(size).padStart(6)}  zeromq.js ${raw.toFixed(1).padStart(7)} us` +
        `  kernel-lib ${lib.toFixed(1).padStart(7)} us  kernel-lib / zeromq.js ${(lib / raw).toFixed(2)}x`,
    );
  }
}

/** Runs the ZeroMQ benchmark, prints the tables and goal checks; false if a goal is missed. */
export async function benchZmq(options: { quick?: boolean } = {}): Promise<boolean> {
  const quick = options.quick ?? false;
  let allMet = true;
  for (const kind of quick ? (["ipc"] as const) : (["ipc", "tcp"] as const)) {
    const results = await measureKind(kind, quick);
    printComparison(
      `zmq PUSH/PULL over ${kind}, main thread -> worker thread: kernel-lib channel vs raw zeromq.js`,
      RAW,
      results,
    );
    printCpu(kind, results);
    const checks = MESSAGE_SIZES.map((size) => {
      const ratio = ratioAt(results, size, KERNEL_LIB, RAW);
      allMet &&= ratio >= GOAL;
      return `${formatSize(size)} ${ratio.toFixed(3)}x ${ratio >= GOAL ? "MET" : "MISSED"}`;
    });
    console.log(
      `goal: kernel-lib msg/s >= ${GOAL}x zeromq.js over ${kind} at every size: ${checks.join(", ")}`,
    );
  }
  console.log(
    "no loss at any size: MET (every round verified by the sink's message and byte count)",
  );
  // Two threads share the CPUs with everything else: say how busy the machine was.
  const load = os.loadavg()[0] ?? 0;
  const cpus = os.cpus().length;
  console.log(`load average ${load.toFixed(1)} on ${cpus} CPUs during the run`);
  if (load > cpus) {
    console.log(
      "the machine was busy: msg/s ratios swing by tens of percent between identical runs " +
        "here; the CPU-time comparison above is the steadier one",
    );
  }
  await closeAll();
  return allMet;
}
