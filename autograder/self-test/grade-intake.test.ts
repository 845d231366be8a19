/**
 * Reading submissions without trusting them (`sandbox/zip.ts`, `sandbox/submission.ts`):
 * exercise folders found wherever learners put them, archives that try to escape, link to
 * other files, or expand without bound refused, symbolic links in folders skipped.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readSubmission } from "../sandbox/submission";
import { crc32, readZip, safeEntryPath } from "../sandbox/zip";
import { makeZip } from "./run-grade";

const LIMITS = { maxFiles: 10, maxTotalBytes: 1024 * 1024 };
let dir = "";

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-intake-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

it("computes the zip checksum of the standard check string", () => {
  expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
});

it("reads the files of a deflated archive byte for byte", () => {
  const big = Buffer.alloc(100_000, 7);
  const { files, skipped } = readZip(
    makeZip({ "ex02-framing/framing.ts": "export {};\n", "ex02-framing/data.bin": big }),
    LIMITS,
  );
  expect(skipped).toEqual([]);
  expect(files.map((f) => f.path)).toEqual(["ex02-framing/framing.ts", "ex02-framing/data.bin"]);
  expect(files[0]?.data.toString()).toBe("export {};\n");
  expect(files[1]?.data.equals(big)).toBe(true);
});

it("skips entries that would land outside the archive, and symbolic links", () => {
  const { files, skipped } = readZip(
    makeZip(
      { "../../etc/evil": "x", "/abs/evil": "x", "a/../../evil": "x", "ok.ts": "ok" },
      { "ex02-framing/framing.ts": "/etc/shadow" },
    ),
    LIMITS,
  );
  expect(files.map((f) => f.path)).toEqual(["ok.ts"]);
  expect(skipped).toEqual([
    "../../etc/evil: a path outside the archive",
    "/abs/evil: a path outside the archive",
    "a/../../evil: a path outside the archive",
    "ex02-framing/framing.ts: a symbolic link",
  ]);
  expect(safeEntryPath("C:/x")).toBeUndefined();
  expect(safeEntryPath("a\\..\\..\\x")).toBeUndefined();
  expect(safeEntryPath("./a//b.ts")).toBe("a/b.ts");
});

it("refuses an archive that expands past its limits or lies about its sizes", () => {
  expect(() => readZip(makeZip({ big: Buffer.alloc(2 * 1024 * 1024) }), LIMITS)).toThrow(
    /expands to more than 1048576 bytes/,
  );
  const many = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`f${i}`, "x"]));
  expect(() => readZip(makeZip(many), LIMITS)).toThrow(/more than 10 files/);
  // A bomb: the central directory declares 10 bytes for 100 KB of deflated data.
  const lying = makeZip({ bomb: Buffer.alloc(100_000) });
  const central = lying.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  lying.writeUInt32LE(10, central + 24);
  expect(() => readZip(lying, LIMITS)).toThrow(/bomb: (cannot inflate|damaged)/);
  expect(() => readZip(Buffer.from("not a zip at all, just text"), LIMITS)).toThrow(
    /not a zip archive/,
  );
});

it("finds exercise folders at the top, under exercises/, or under a wrapping folder", () => {
  const zip = path.join(dir, "alice.zip");
  fs.writeFileSync(
    zip,
    makeZip({
      "alice/exercises/ex02-framing/framing.ts": "// two",
      "alice/exercises/ex02-framing/notes/more.ts": "// more",
      "alice/node_modules/ex03-prime-sieve/x.ts": "// a dependency, not a submission",
      "__MACOSX/alice/exercises/ex02-framing/._framing.ts": "junk",
    }),
  );
  const submission = readSubmission(zip, ["ex02-framing", "ex03-prime-sieve"]);
  expect([...submission.exercises.keys()]).toEqual(["ex02-framing"]);
  expect(submission.exercises.get("ex02-framing")?.map((f) => f.path)).toEqual([
    "framing.ts",
    "notes/more.ts",
  ]);
});

it("copies regular files from a folder and skips symbolic links out of it", () => {
  fs.mkdirSync(path.join(dir, "ex02-framing"));
  fs.writeFileSync(path.join(dir, "ex02-framing", "framing.ts"), "// mine");
  fs.symlinkSync("/etc/passwd", path.join(dir, "ex02-framing", "stolen.ts"));
  const submission = readSubmission(dir, ["ex02-framing"]);
  expect(submission.exercises.get("ex02-framing")?.map((f) => f.path)).toEqual(["framing.ts"]);
  expect(submission.notes).toEqual(["skipped ex02-framing/stolen.ts: a symbolic link"]);
});

it("explains a submission that is neither a folder nor a zip", () => {
  const file = path.join(dir, "alice.tar");
  fs.writeFileSync(file, "x");
  expect(() => readSubmission(file, ["ex02-framing"])).toThrow(
    /alice\.tar is neither a folder nor a \.zip file/,
  );
});
