/**
 * The messages of the task farm, one tagged union per road, so `switch (msg.type)` narrows:
 *
 * - ventilator to workers, ZeroMQ PUSH to PULL: {@link TaskMessage};
 * - workers to sink, ZeroMQ PUSH to PULL: one {@link ReadyMessage} per worker (the sync step),
 *   then one {@link ResultMessage} per task;
 * - farm to one worker, over that worker's own stdin pipe: {@link StopMessage}.
 */

/** A unit of work: `id` names it (unique in a run); `seed` and `rounds` say what to compute. */
export interface Task {
  id: number;
  /** Input of the computation, an integer from 0 to 2^32 - 1. */
  seed: number;
  /** How much work it is: rounds of the hash in `work.ts` (about 2 ns each). */
  rounds: number;
}

/** Ventilator to a worker: one task to do. */
export interface TaskMessage extends Task {
  type: "task";
}

/**
 * Worker to sink, once, first: "my sockets are connected, send the work". `worker` is the index
 * the farm gave it (its third argument); `pid` and `ppid` are `process.pid` and `process.ppid`.
 */
export interface ReadyMessage {
  type: "ready";
  worker: number;
  pid: number;
  ppid: number;
}

/** Worker to sink: the result of task `id`, computed by worker `worker` (process `pid`). */
export interface ResultMessage {
  type: "result";
  id: number;
  value: number;
  worker: number;
  pid: number;
}

/** Everything that reaches the sink. */
export type SinkMessage = ReadyMessage | ResultMessage;

/** Farm to one worker, on its stdin pipe: finish, close your sockets and exit with code 0. */
export interface StopMessage {
  type: "stop";
}

/** Everything that travels on a worker's control pipe. */
export type ControlMessage = StopMessage;
