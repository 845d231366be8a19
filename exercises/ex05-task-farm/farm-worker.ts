/**
 * Exercise ex05 (task farm), the child program: one worker of the farm. See README.md.
 *
 * Started by `runFarm` as `farm-worker.ts TASKS_ENDPOINT RESULTS_ENDPOINT WORKER_INDEX`. It
 * connects a PULL socket to the ventilator and a PUSH socket to the sink, reports ready on the
 * sink, then does every task it pulls and pushes its result. It stops when the farm sends a
 * stop message on its stdin pipe, or when that pipe ends: it then closes both sockets and the
 * pipe and returns, and the process exits with code 0.
 *
 * You will need `jsonCodec`, `parentPipes`, `zmqPull` and `zmqPush` from "kernel-lib", the
 * message types from "./messages" and `doTask` from "./work".
 */

const [tasksEndpoint, resultsEndpoint, workerArg] = process.argv.slice(2);

async function main(): Promise<void> {
  if (tasksEndpoint === undefined || resultsEndpoint === undefined || workerArg === undefined) {
    throw new Error("usage: farm-worker.ts TASKS_ENDPOINT RESULTS_ENDPOINT WORKER_INDEX");
  }
  const worker = Number(workerArg);
  // TODO: connect the task socket first, zmqPull(jsonCodec<TaskMessage>(), { connect:
  //       tasksEndpoint }), then the results socket, zmqPush(jsonCodec<SinkMessage>(),
  //       { connect: resultsEndpoint }); open the control pipe: parentPipes(jsonCodec<ControlMessage>()).
  // TODO: read the control pipe in its own async loop: on { type: "stop" }, or when the pipe
  //       ends, close the task socket (the task loop below then ends).
  // TODO: send { type: "ready", worker, pid: process.pid, ppid: process.ppid } on the push socket.
  // TODO: for each task pulled (for await): push
  //       { type: "result", id: task.id, value: doTask(task), worker, pid: process.pid }.
  // TODO: once the task loop has ended: close the push socket and both halves of the control
  //       pipe, and return (the process then exits with code 0 by itself).
  throw new Error(
    `TODO: ex05 farm-worker ${worker}: pull tasks from ${tasksEndpoint}, ` +
      `push results to ${resultsEndpoint}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  // A failed worker must not linger: the farm sees this exit code and fails the run.
  process.exit(1);
});
