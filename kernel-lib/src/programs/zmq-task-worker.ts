// Child program: a worker of a ZeroMQ task farm (the zguide's ventilator / workers / sink).
// It connects a PULL socket to the ventilator's tasks endpoint and a PUSH socket to the sink's
// results endpoint, says { type: "ready", pid } to the sink, then for every task
// { id, rounds } computes a chain of `rounds` SHA-256 hashes (pure CPU work: it needs a core
// of its own to go fast) and pushes { type: "result", id, pid, digest, workMs } to the sink.
// End of stdin is its stop signal: it closes both sockets (results already queued get the
// socket's linger time to leave) and exits 0. It never writes to stdout or stderr.
//
// argv: TASKS_ENDPOINT RESULTS_ENDPOINT
import { createHash } from "node:crypto";
import * as net from "node:net";
import { jsonCodec } from "../codec";
import { zmqPull, zmqPush } from "../transports/zmq";

/** A task from the ventilator: `rounds` chained SHA-256 hashes, seeded with the task id. */
export interface FarmTask {
  id: number;
  rounds: number;
}

/** What a worker pushes to the sink. */
export type FarmResult =
  | { type: "ready"; pid: number }
  | { type: "result"; id: number; pid: number; digest: string; workMs: number };

/** The task's work: SHA-256 of the id, then of each digest, `rounds` times; hex digest. */
function hashChain(id: number, rounds: number): string {
  let digest: Buffer = Buffer.from(String(id));
  for (let i = 0; i < rounds; i++) digest = createHash("sha256").update(digest).digest();
  return digest.toString("hex");
}

async function main(): Promise<void> {
  const [tasksEndpoint = "", resultsEndpoint = ""] = process.argv.slice(2);
  const tasks = await zmqPull(jsonCodec<FarmTask>(), {
    connect: tasksEndpoint,
    label: `task worker ${process.pid} tasks`,
  });
  const results = await zmqPush(jsonCodec<FarmResult>(), {
    connect: resultsEndpoint,
    label: `task worker ${process.pid} results`,
  });
  // stdin only matters by its end; a "data" listener keeps it flowing so the end is seen.
  const stdin = new net.Socket({ fd: 0, readable: true, writable: false });
  stdin.on("data", () => {});
  stdin.on("error", () => {});
  stdin.once("end", () => {
    stdin.destroy();
    void tasks.close(); // ends the loop below
  });

  await results.send({ type: "ready", pid: process.pid });
  for await (const task of tasks) {
    const started = performance.now();
    const digest = hashChain(task.id, task.rounds);
    await results.send({
      type: "result",
      id: task.id,
      pid: process.pid,
      digest,
      workMs: performance.now() - started,
    });
  }
  await results.close();
}

main().catch((err: unknown) => {
  console.error(String(err));
  process.exitCode = 1;
});
