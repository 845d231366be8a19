/**
 * Wire interop: kernel-lib's ZeroMQ ends talk to a non-Node peer, Python's pyzmq
 * (test/fixtures/zmq-peer.py run by the project's .venv), over tcp and ipc, in each
 * direction, with multipart messages. If the venv is missing, beforeAll creates it exactly
 * as `npm run jupyter:setup` does; if that fails, the tests fail (they never skip).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import {
  multipartCodec,
  zmqEndpoint,
  zmqPull,
  zmqPush,
  zmqReplier,
  type ZmqEndpointKind,
} from "../../src";
import { venvExecutable } from "../../../scripts/lib/jupyter-env";
import { ensureVenv } from "../../../scripts/lib/python-env";
import { seededRandom } from "../support/random";
import { bytes, OpenedEnds } from "./support";

jest.setTimeout(30_000);

const peerScript = path.join(__dirname, "..", "fixtures", "zmq-peer.py");
let python = "";

beforeAll(async () => {
  await ensureVenv((line) => console.log(line));
  const found = venvExecutable("python");
  if (!found) throw new Error("the .venv has no python after `npm run jupyter:setup`'s set-up");
  python = found;
}, 600_000);

const rand = seededRandom(411);
/** Multipart messages with the awkward cases: zero-length frames, every byte value, 100 kB. */
const MESSAGES: Uint8Array[][] = [
  [bytes("hello"), bytes("from"), bytes("the other side")],
  [new Uint8Array(0)],
  [Uint8Array.from({ length: 256 }, (_, i) => i), new Uint8Array(0), bytes("end")],
  [Uint8Array.from({ length: 100_000 }, () => (rand() * 256) | 0)],
];

const toHex = (messages: Uint8Array[][]): string[][] =>
  messages.map((m) => m.map((frame) => Buffer.from(frame).toString("hex")));

/** Runs the peer, feeding `input` as JSON on stdin; resolves with its JSON stdout. */
function runPeer(
  children: Set<ChildProcess>,
  args: string[],
  input: Uint8Array[][] = [],
): Promise<string[][]> {
  const child = spawn(python, [peerScript, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
  child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
  child.stdin.end(JSON.stringify(toHex(input)));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => {
      children.delete(child);
      if (code !== 0) {
        reject(new Error(`zmq-peer.py ${args.join(" ")} exited ${code}: ${stderr.trim()}`));
        return;
      }
      resolve(stdout.trim() ? (JSON.parse(stdout) as string[][]) : []);
    });
  });
}

const INTEROP_KINDS: readonly ZmqEndpointKind[] = ["tcp", "ipc"];

describe.each(INTEROP_KINDS)("wire interop with pyzmq over %s", (kind: ZmqEndpointKind) => {
  const opened = new OpenedEnds();
  const children = new Set<ChildProcess>();
  afterEach(async () => {
    for (const child of children) child.kill("SIGKILL");
    children.clear();
    await opened.closeAll();
  });

  it("kernel-lib PUSH -> pyzmq PULL: multipart messages arrive whole and in order", async () => {
    const tx = opened.add(await zmqPush(multipartCodec, { bind: zmqEndpoint(kind, "to-py") }));
    const received = runPeer(children, ["recv", tx.endpoint, String(MESSAGES.length)]);
    for (const m of MESSAGES) await tx.send(m, { timeoutMs: 10_000 });
    expect(await received).toEqual(toHex(MESSAGES));
  });

  it("pyzmq PUSH -> kernel-lib PULL: multipart messages arrive whole and in order", async () => {
    const rx = opened.add(await zmqPull(multipartCodec, { bind: zmqEndpoint(kind, "from-py") }));
    const sent = runPeer(children, ["send", rx.endpoint], MESSAGES);
    const got: Uint8Array[][] = [];
    for (let i = 0; i < MESSAGES.length; i++) got.push(await rx.recv({ timeoutMs: 10_000 }));
    await sent;
    expect(toHex(got)).toEqual(toHex(MESSAGES));
  });

  it("pyzmq REQ <-> kernel-lib REP: each request gets its reply (frames reversed)", async () => {
    const server = opened.add(await zmqReplier(multipartCodec, { bind: zmqEndpoint(kind) }));
    const replies = runPeer(children, ["req", server.endpoint], MESSAGES);
    for (let i = 0; i < MESSAGES.length; i++) {
      const request = await server.recv({ timeoutMs: 10_000 });
      await server.reply([...request].reverse());
    }
    expect(await replies).toEqual(toHex(MESSAGES.map((m) => [...m].reverse())));
  });
});
