/**
 * Reference solution of ex05, the child program: one worker of the task farm.
 *
 * Started by `runFarm` as `farm-worker.ts TASKS_ENDPOINT RESULTS_ENDPOINT WORKER_INDEX`. It
 * connects a PULL socket to the ventilator and a PUSH socket to the sink, reports ready on the
 * sink, then does every task it pulls and pushes its result. It stops when the farm sends a
 * stop message on its stdin pipe, or when that pipe ends: it then closes both sockets and the
 * pipe and returns, and the process exits with code 0.
 */
import { jsonCodec, parentPipes, zmqPull, zmqPush } from "kernel-lib";
import type { ControlMessage, SinkMessage, TaskMessage } from "./messages";
import { doTask } from "./work";

const [tasksEndpoint, resultsEndpoint, workerArg] = process.argv.slice(2);

async function main(): Promise<void> {
  if (tasksEndpoint === undefined || resultsEndpoint === undefined || workerArg === undefined) {
    throw new Error("usage: farm-worker.ts TASKS_ENDPOINT RESULTS_ENDPOINT WORKER_INDEX");
  }
  const worker = Number(workerArg);
  // The task road first: the ready message below goes out once the results road is up, and by
  // then the connection started before it has had every chance to be up too.
  const tasks = await zmqPull(jsonCodec<TaskMessage>(), { connect: tasksEndpoint });
  const results = await zmqPush(jsonCodec<SinkMessage>(), { connect: resultsEndpoint });
  const control = parentPipes(jsonCodec<ControlMessage>());

  // The control pipe is read alongside the tasks. A stop message, or the pipe's end (the farm
  // is gone), closes the task socket: the loop below then ends cleanly.
  const stopped = (async () => {
    for await (const msg of control.reader) if (msg.type === "stop") break;
    await tasks.close();
  })();

  await results.send({ type: "ready", worker, pid: process.pid, ppid: process.ppid });
  for await (const task of tasks) {
    if (task.type !== "task") throw new Error(`worker ${worker}: unexpected ${String(task.type)}`);
    const value = doTask(task);
    await results.send({ type: "result", id: task.id, value, worker, pid: process.pid });
  }
  await stopped;
  // Every result was queued; the farm stops a worker only once it has them all, so nothing is
  // left for ZeroMQ to flush and the process can exit at once.
  await results.close();
  await control.reader.close();
  await control.writer.close();
}

main().catch((err: unknown) => {
  console.error(err);
  // A failed worker must not linger: the farm sees this exit code and fails the run.
  process.exit(1);
});
