/**
 * Graded tests of ex01 (ping-pong): real worker threads. Whole rallies run through the learner's
 * `pingPong`; each player is also started alone, with the test thread playing the other side
 * and checking every message. What the test thread itself did during a rally (the messages it
 * posted, the workers' exit codes, stop requests and terminate calls) is seen through the
 * MessagePort and Worker prototypes, which every port and worker of this thread share.
 */
import { MessagePort, Worker, threadId as testThreadId } from "node:worker_threads";
import {
  createPortPair,
  isChannelError,
  isStopMessage,
  liveResources,
  portChannel,
  startWorker,
  workerChannel,
  type PortChannel,
  type WorkerHandle,
} from "kernel-lib";
import type {
  OutOfOrder,
  PlayerData,
  PlayerReport,
  RallyMessage,
  Role,
} from "../../exercises/ex01-ping-pong/messages";
import type * as PingPong from "../../exercises/ex01-ping-pong/ping-pong";
import { exerciseFile, loadExercise } from "../lib/exercise-path";
import { graded } from "../lib/graded";
import { createRandom } from "../lib/seeded-random";

const SLUG = "ex01-ping-pong";
const game = (): typeof PingPong => loadExercise<typeof PingPong>(SLUG, "ping-pong");

/** How long the test thread waits for one message from a player before it gives up. */
const MESSAGE_WAIT_MS = 5_000;

/** The same for a player's first message, which waits for its thread to start (tsx compiles). */
const FIRST_MESSAGE_WAIT_MS = 10_000;

/**
 * Most messages the main thread may post during a rally: closing its channel to each player
 * posts one "end" each, and the rest leaves room for other designs (a start message, say).
 * Relaying the rally through the main thread posts one per ping and pong.
 */
const MAX_MAIN_THREAD_POSTS = 10;

/**
 * Node's own messages between a Worker object and its thread (start the script, flow control
 * of the thread's stdout and stderr): they go through MessagePorts too, but are not the
 * program's traffic.
 */
const NODE_INTERNAL_TYPES = new Set(["loadScript", "stdioWantsMoreData"]);
const isNodeInternal = (value: unknown): boolean =>
  typeof value === "object" &&
  value !== null &&
  NODE_INTERNAL_TYPES.has(String((value as { type?: unknown }).type));

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const show = (value: unknown): string =>
  value === undefined ? "undefined" : (JSON.stringify(value) ?? String(value));

/** Throws unless `got` has every field of `expected` (as JSON), naming `what` and the field. */
function expectFields(got: unknown, expected: Record<string, unknown>, what: string): void {
  if (typeof got !== "object" || got === null) {
    throw new Error(`${what}: expected an object like ${show(expected)}, got ${show(got)}`);
  }
  for (const [key, want] of Object.entries(expected)) {
    const value = (got as Record<string, unknown>)[key];
    if (show(value) !== show(want)) {
      throw new Error(`${what}: ${key}: expected ${show(want)}, got ${show(value)}`);
    }
  }
}

/** Throws unless `report` is `role`'s report of a rally of n rounds, all in order. */
function expectRallyReport(report: unknown, role: Role, n: number, step: string): void {
  expectFields(
    report,
    { type: "report", role, sent: n, received: n, lastSeq: n, outOfOrder: [] },
    `${step}: the ${role} player's report`,
  );
}

/** Runs `pingPong(n)` and checks both reports; returns the result. */
async function rally(n: number): Promise<PingPong.PingPongResult> {
  const result = await game().pingPong(n);
  expectRallyReport(result?.ping, "ping", n, `pingPong(${n})`);
  expectRallyReport(result?.pong, "pong", n, `pingPong(${n})`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Watching the main thread

/** What the test thread did while a rally ran. */
interface MainThreadLog {
  /** What this thread posted through any MessagePort (a Worker's too), except Node's own. */
  posted: unknown[];
  /** In order: "exit <code>" per worker that ended, "stop" per stop request, "terminate". */
  events: string[];
}

/** Replaces `target[key]` until the returned function restores it (own property or not). */
function replace<T extends object, K extends keyof T>(target: T, key: K, value: T[K]): () => void {
  const own = Object.getOwnPropertyDescriptor(target, key);
  target[key] = value;
  return () => {
    if (own) Object.defineProperty(target, key, own);
    else delete target[key];
  };
}

/** Runs `run` while logging what this thread posts and how its workers end. */
async function watchMainThread<T>(
  run: () => Promise<T>,
): Promise<{ value: T; log: MainThreadLog }> {
  const log: MainThreadLog = { posted: [], events: [] };
  type Post = (this: MessagePort, value: unknown, ...rest: unknown[]) => void;
  type Emit = (this: Worker, event: string | symbol, ...args: unknown[]) => boolean;
  type Terminate = (this: Worker) => Promise<number>;
  const portProto = MessagePort.prototype as unknown as { postMessage: Post };
  const workerProto = Worker.prototype as unknown as { emit: Emit; terminate: Terminate };
  const post = portProto.postMessage;
  const emit = workerProto.emit;
  const terminate = workerProto.terminate;
  const restore = [
    replace(portProto, "postMessage", function (this: MessagePort, value, ...rest) {
      if (!isNodeInternal(value)) log.posted.push(value);
      if (isStopMessage(value)) log.events.push("stop");
      return post.call(this, value, ...rest);
    }),
    replace(workerProto, "emit", function (this: Worker, event, ...args) {
      if (event === "exit") log.events.push(`exit ${show(args[0])}`);
      return emit.call(this, event, ...args);
    }),
    replace(workerProto, "terminate", function (this: Worker) {
      log.events.push("terminate");
      return terminate.call(this);
    }),
  ];
  try {
    return { value: await run(), log };
  } finally {
    for (const undo of restore) undo();
  }
}

const isRallyMessage = (value: unknown): boolean =>
  typeof value === "object" &&
  value !== null &&
  ["ping", "pong"].includes(String((value as { type?: unknown }).type));

// ---------------------------------------------------------------------------------------------
// One player against the test thread

/** A player started alone; the test thread plays the other side on `peer`. */
interface LonePlayer {
  role: Role;
  handle: WorkerHandle;
  /** The test thread's end of the channel between the players. */
  peer: PortChannel<RallyMessage>;
  /** The player's channel to the thread that started it: its report arrives here. */
  parent: PortChannel<PlayerReport>;
}

function startPlayer(role: Role, n: number): LonePlayer {
  const [testEnd, playerEnd] = createPortPair();
  const data: PlayerData =
    role === "ping" ? { role, port: playerEnd, n } : { role, port: playerEnd };
  let handle: WorkerHandle;
  try {
    handle = startWorker(exerciseFile(SLUG, "player"), {
      workerData: data,
      transferList: [playerEnd],
    });
  } catch (err) {
    testEnd.close();
    playerEnd.close();
    throw err;
  }
  return {
    role,
    handle,
    peer: portChannel<RallyMessage>(testEnd, { label: `the test's port to the ${role} player` }),
    parent: workerChannel<PlayerReport>(handle, { label: `the ${role} player` }),
  };
}

/**
 * The failure of `step`, naming the player's own error when it died of one (a TODO left in
 * the starter, an exception): a dying thread closes its ports before its error reaches us.
 */
async function explain(player: LonePlayer, step: string, err: unknown): Promise<Error> {
  await Promise.race([player.handle.exited, delay(1_000)]);
  const cause = player.handle.error;
  if (cause) {
    return new Error(`${step}: the ${player.role} player failed: ${cause.message}`, { cause });
  }
  const why = err instanceof Error ? err.message : String(err);
  return new Error(`${step}: ${why}`, { cause: err });
}

/** The next message on `channel` from the player, within `waitMs`. */
async function receive<T>(
  player: LonePlayer,
  channel: PortChannel<T>,
  step: string,
  waitMs = MESSAGE_WAIT_MS,
): Promise<T> {
  try {
    return await channel.recv({ timeoutMs: waitMs });
  } catch (err) {
    throw await explain(player, step, err);
  }
}

/** Throws if the player sends anything on the peer channel within `ms`. */
async function expectSilence(
  player: LonePlayer,
  ms: number,
  step: string,
  why: string,
): Promise<void> {
  let early: RallyMessage;
  try {
    early = await player.peer.recv({ timeoutMs: ms });
  } catch (err) {
    if (isChannelError(err, "Timeout")) return;
    throw await explain(player, step, err);
  }
  throw new Error(`${step}: expected no message for ${ms} ms, got ${show(early)}: ${why}`);
}

/** Throws unless the player ends its side of the peer channel, with no message before the end. */
async function expectEnd(player: LonePlayer, step: string, how: string): Promise<void> {
  let extra: RallyMessage;
  try {
    extra = await player.peer.recv({ timeoutMs: MESSAGE_WAIT_MS });
  } catch (err) {
    if (isChannelError(err, "ChannelClosed")) return;
    if (isChannelError(err, "Timeout")) {
      throw new Error(
        `${step}: expected the end of the stream, got nothing for ` +
          `${MESSAGE_WAIT_MS / 1000} s: ${how}`,
        { cause: err },
      );
    }
    throw await explain(player, step, err);
  }
  throw new Error(`${step}: expected the end of the stream, got another message ${show(extra)}`);
}

/** Throws unless the player's thread exits by itself with code 0 within a few seconds. */
async function expectExitByItself(player: LonePlayer): Promise<void> {
  const code = await Promise.race([player.handle.exited, delay(MESSAGE_WAIT_MS)]);
  if (code === 0) return;
  const got =
    code === undefined ? `still running after ${MESSAGE_WAIT_MS / 1000} s` : `exit code ${code}`;
  throw new Error(
    `after its report: expected the ${player.role} player to exit by itself with code 0, got ` +
      `${got}${player.handle.error ? ` (${player.handle.error.message})` : ""}; close its port ` +
      `and the parent channel, and nothing keeps the thread alive`,
  );
}

// ---------------------------------------------------------------------------------------------
// The graded tests

const RALLY_HINT =
  "pingPong: createPortPair(), then per player startWorker(PLAYER_ENTRY, " +
  "{ workerData, transferList: [port] }); read each report with workerChannel(handle).recv(), " +
  "close that channel, await handle.exited (a player that leaves its port or parentChannel " +
  "open never exits: a time-out); " +
  "run `npx tsx exercises/ex01-ping-pong/ping-pong.ts 3` to see the players' errors";

graded(
  "plays a rally of one ping and one pong",
  2,
  async () => {
    await rally(1);
  },
  { hint: RALLY_HINT },
);

graded(
  "plays a rally of 10 pings and 10 pongs",
  2,
  async () => {
    await rally(10);
  },
  { hint: RALLY_HINT },
);

graded(
  "plays a rally of 1000 pings and 1000 pongs",
  2,
  async () => {
    await rally(1000);
  },
  {
    hint:
      "the ping player sends the next ping for each pong until it has sent n, then calls " +
      "peer.endSend(); count every message sent and received in the report",
  },
);

graded(
  "the ping player sends pings 1 to n, each only after the pong before it, then ends its side",
  3,
  async () => {
    const n = 20;
    const wrongAt = 7; // the test answers ping 7 with pong 70: the report must list it
    const player = startPlayer("ping", n);
    const worker = player.handle.worker.threadId;
    for (let seq = 1; seq <= n; seq++) {
      const step = `ping player (n = ${n}), message ${seq}`;
      const waitMs = seq === 1 ? FIRST_MESSAGE_WAIT_MS : MESSAGE_WAIT_MS;
      const ping = await receive(player, player.peer, `${step}: waiting for ping ${seq}`, waitMs);
      expectFields(ping, { type: "ping", seq, from: worker }, step);
      if (seq <= 3) {
        await expectSilence(
          player,
          100,
          `${step}: before the test answers ping ${seq}`,
          "one ping in flight at a time: the next ping goes only after this one's pong",
        );
      }
      const answer = seq === wrongAt ? 10 * wrongAt : seq;
      await player.peer.send({ type: "pong", seq: answer, from: testThreadId });
    }
    await expectEnd(
      player,
      `ping player (n = ${n}), after the ${n}th pong`,
      "after the n-th pong the ping player must end its side: peer.endSend()",
    );
    await player.peer.close();
    const report = await receive(player, player.parent, "waiting for the ping player's report");
    const outOfOrder: OutOfOrder[] = [{ expected: wrongAt, got: 10 * wrongAt }];
    expectFields(
      report,
      { type: "report", role: "ping", threadId: worker, peerThreadId: testThreadId },
      "the ping player's report",
    );
    expectFields(
      report,
      { sent: n, received: n, lastSeq: n, outOfOrder },
      `the ping player's report (the test answered ping ${wrongAt} with pong ${10 * wrongAt})`,
    );
    await player.parent.close();
    await expectExitByItself(player);
  },
  {
    timeoutMs: 20_000,
    hint:
      "ping: send ping 1, then `for await (const msg of peer)`: the k-th pong must carry seq k " +
      "(else add { expected: k, got: msg.seq } to outOfOrder); send ping k+1 while fewer than " +
      "n are sent, else peer.endSend()",
  },
);

graded(
  "the pong player answers every ping with the pong of the same seq and reports out-of-order pings",
  3,
  async () => {
    // 1..40 with three seeded swaps of neighbours, in separate thirds so none undoes another.
    const random = createRandom(2024);
    const seqs = Array.from({ length: 40 }, (_, i) => i + 1);
    for (const third of [0, 13, 26]) {
      const i = third + random.int(0, 11);
      seqs.splice(i, 2, i + 2, i + 1);
    }
    const expectedOutOfOrder = seqs.flatMap((got, i) =>
      got === i + 1 ? [] : [{ expected: i + 1, got }],
    );

    const player = startPlayer("pong", seqs.length);
    const worker = player.handle.worker.threadId;
    for (const seq of seqs) await player.peer.send({ type: "ping", seq, from: testThreadId });
    for (const [i, seq] of seqs.entries()) {
      const step = `pong player, message ${i + 1} (the answer to ping ${seq})`;
      const waitMs = i === 0 ? FIRST_MESSAGE_WAIT_MS : MESSAGE_WAIT_MS;
      const pong = await receive(player, player.peer, `${step}: waiting for it`, waitMs);
      expectFields(pong, { type: "pong", seq, from: worker }, step);
    }
    await player.peer.endSend();
    await expectEnd(
      player,
      "pong player, after the test ended its side",
      "at end-of-stream the pong player's loop ends; it then closes its port (peer.close())",
    );
    await player.peer.close();
    const report = await receive(player, player.parent, "waiting for the pong player's report");
    expectFields(
      report,
      { type: "report", role: "pong", threadId: worker, peerThreadId: testThreadId },
      "the pong player's report",
    );
    expectFields(
      report,
      {
        sent: seqs.length,
        received: seqs.length,
        lastSeq: seqs[seqs.length - 1],
        outOfOrder: expectedOutOfOrder,
      },
      `the pong player's report, after pings ${seqs.join(",")}`,
    );
    await player.parent.close();
    await expectExitByItself(player);
  },
  {
    timeoutMs: 20_000,
    hint:
      "pong: `for await (const msg of peer)` answers each ping with " +
      '{ type: "pong", seq: msg.seq, from: threadId }; ' +
      "the k-th ping must carry seq k, else add { expected: k, got: msg.seq } to outOfOrder",
  },
);

graded(
  "sends every ping and pong from one worker thread to the other, not through the main thread",
  3,
  async () => {
    const n = 1000;
    const { value: result, log } = await watchMainThread(() => rally(n));
    const { ping, pong } = result;
    const threads = `ping in thread ${ping.threadId}, pong in thread ${pong.threadId}`;
    if (ping.threadId === pong.threadId || [ping.threadId, pong.threadId].includes(testThreadId)) {
      throw new Error(
        `expected two different worker threads, neither of them the main thread ` +
          `(${testThreadId}): got ${threads}`,
      );
    }
    expectFields(ping, { peerThreadId: pong.threadId }, `the ping player's report (${threads})`);
    expectFields(pong, { peerThreadId: ping.threadId }, `the pong player's report (${threads})`);
    const relayed = log.posted.filter(isRallyMessage).length;
    if (relayed > 0 || log.posted.length > MAX_MAIN_THREAD_POSTS) {
      throw new Error(
        `during a rally of ${n} rounds the main thread posted ${log.posted.length} messages, ` +
          `${relayed} of them pings or pongs: expected at most ${MAX_MAIN_THREAD_POSTS}, ` +
          `none a ping or pong (the players talk over their own ports)`,
      );
    }
  },
  {
    hint:
      "hand each player one end of createPortPair() in workerData, listed in transferList; " +
      "the players send to each other with portChannel(port), the main thread only reads reports",
  },
);

graded(
  "both players exit by themselves with code 0 before pingPong resolves: no stop(), no terminate()",
  3,
  async () => {
    const { log } = await watchMainThread(() => rally(10));
    const forced = log.events.findIndex((e) => e === "stop" || e === "terminate");
    const beforeForcing = forced < 0 ? log.events : log.events.slice(0, forced);
    const exits = beforeForcing.filter((e) => e.startsWith("exit "));
    if (show(exits) !== show(["exit 0", "exit 0"])) {
      throw new Error(
        `expected both players to exit with code 0 by themselves before pingPong resolved; ` +
          `the main thread saw: ${log.events.join(", ") || "no worker exit"}`,
      );
    }
  },
  {
    hint:
      "a player ends when nothing is left open: its peer loop ends (ping: after peer.endSend(), " +
      "when pong closes; pong: at end-of-stream), then peer.close(), parent.send(report), " +
      "parent.close(); pingPong awaits handle.exited instead of calling stop()",
  },
);

graded(
  "rejects n below 1 or not an integer with InvalidArgument, starting no worker",
  1,
  async () => {
    for (const bad of [0, -3, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      let outcome = "it resolved";
      try {
        await game().pingPong(bad);
      } catch (err) {
        if (isChannelError(err, "InvalidArgument")) {
          const open = liveResources();
          if (open.length === 0) continue;
          outcome = `it left open: ${open.join("; ")}`;
        } else {
          outcome = `it threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
        }
      }
      throw new Error(`pingPong(${bad}): expected ChannelError "InvalidArgument", but ${outcome}`);
    }
  },
  { hint: 'check n before starting anything: throw new ChannelError("InvalidArgument", ...)' },
);

graded(
  "leaves no worker or channel open after each of three rallies in a row",
  1,
  async () => {
    for (let round = 1; round <= 3; round++) {
      await rally(5);
      const open = liveResources();
      if (open.length > 0) {
        throw new Error(
          `after rally ${round} of 3 (n = 5): expected nothing open, got ${open.join("; ")}`,
        );
      }
    }
  },
  {
    timeoutMs: 15_000,
    hint:
      "close both workerChannel()s once their reports are in, and await both handles' exited " +
      "before pingPong returns; kernel-lib's liveResources() must then be []",
  },
);
