/**
 * A small, strict zip reader for submissions: stored and deflated entries, no ZIP64, no
 * encryption. Refuses what an archive should not do to the grader: paths that leave the
 * archive (`../`, absolute), symbolic links, and more bytes than declared or allowed (zip
 * bombs). Written out, instead of calling `unzip`, so the grader needs no external tool and
 * every entry is checked before anything is written.
 */
import * as zlib from "node:zlib";

/** One file of an archive. */
export interface ZipFile {
  /** Relative path with "/" separators, checked to stay inside the archive. */
  path: string;
  data: Buffer;
}

/** Limits on what an archive may expand to. */
export interface ZipLimits {
  maxFiles: number;
  maxTotalBytes: number;
}

/** What an archive held: its files, and the entries it skipped with why. */
export interface ZipContents {
  files: ZipFile[];
  skipped: string[];
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const UNIX = 3;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

let crcTable: Uint32Array | undefined;

/**
 * CRC-32 (IEEE), as zip stores it.
 *
 * @example
 * crc32(Buffer.from("123456789")); // 0xcbf43926
 */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = (crcTable[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * A relative path inside the archive, or undefined when the name tries to leave it (absolute,
 * a drive letter, or `..` as a component).
 */
export function safeEntryPath(name: string): string | undefined {
  const parts = name.replace(/\\/g, "/").split("/");
  if (parts[0] === "" || /^[a-zA-Z]:$/.test(parts[0] ?? "")) return undefined;
  const kept = parts.filter((p) => p !== "" && p !== ".");
  if (kept.some((p) => p === "..") || kept.length === 0) return undefined;
  return kept.join("/");
}

/**
 * Reads every file of the zip archive in `archive`. Throws an `Error` with a readable message
 * when the archive is damaged, uses a feature this reader refuses, or exceeds `limits`.
 *
 * @example
 * const { files } = readZip(fs.readFileSync("alice.zip"), { maxFiles: 500, maxTotalBytes: 2e7 });
 */
export function readZip(archive: Buffer, limits: ZipLimits): ZipContents {
  // The end record sits in the last 22 bytes plus a comment of up to 64 KiB.
  let end = -1;
  for (let at = archive.length - 22; at >= Math.max(0, archive.length - 22 - 0xffff); at--) {
    if (archive.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new Error("not a zip archive (no end of central directory)");
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  if (count === 0xffff || at === 0xffffffff) throw new Error("ZIP64 archives are not supported");

  const files: ZipFile[] = [];
  const skipped: string[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > archive.length || archive.readUInt32LE(at) !== CENTRAL_DIRECTORY_ENTRY) {
      throw new Error("damaged zip archive (central directory)");
    }
    const madeBy = archive.readUInt16LE(at + 4) >> 8;
    const flags = archive.readUInt16LE(at + 8);
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const compressedSize = archive.readUInt32LE(at + 20);
    const size = archive.readUInt32LE(at + 24);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const externalAttributes = archive.readUInt32LE(at + 38);
    const localOffset = archive.readUInt32LE(at + 42);
    const rawName = archive.subarray(at + 46, at + 46 + nameLength);
    // Bit 11: UTF-8 names; otherwise CP437, of which ASCII is what matters here.
    const name = rawName.toString(flags & 0x800 ? "utf8" : "latin1");
    at += 46 + nameLength + extraLength + commentLength;

    if (name.endsWith("/")) continue; // a directory
    const entryPath = safeEntryPath(name);
    if (entryPath === undefined) {
      skipped.push(`${name}: a path outside the archive`);
      continue;
    }
    if (madeBy === UNIX && ((externalAttributes >>> 16) & S_IFMT) === S_IFLNK) {
      skipped.push(`${entryPath}: a symbolic link`);
      continue;
    }
    if (flags & 0x1) throw new Error(`${entryPath}: encrypted entries are not supported`);
    if (files.length + 1 > limits.maxFiles) {
      throw new Error(`more than ${limits.maxFiles} files in the archive`);
    }
    total += size;
    if (total > limits.maxTotalBytes) {
      throw new Error(`the archive expands to more than ${limits.maxTotalBytes} bytes`);
    }
    if (
      localOffset + 30 > archive.length ||
      archive.readUInt32LE(localOffset) !== LOCAL_FILE_HEADER
    ) {
      throw new Error(`damaged zip archive (local header of ${entryPath})`);
    }
    const dataStart =
      localOffset +
      30 +
      archive.readUInt16LE(localOffset + 26) +
      archive.readUInt16LE(localOffset + 28);
    const compressed = archive.subarray(dataStart, dataStart + compressedSize);
    let data: Buffer;
    if (method === 0) data = Buffer.from(compressed);
    else if (method === 8) {
      try {
        // Never more than declared: a bomb that lies about its size stops here.
        data = zlib.inflateRawSync(compressed, { maxOutputLength: Math.max(size, 1) });
      } catch (err) {
        throw new Error(`${entryPath}: cannot inflate (${(err as Error).message})`, { cause: err });
      }
    } else throw new Error(`${entryPath}: compression method ${method} is not supported`);
    if (data.length !== size || crc32(data) !== crc) {
      throw new Error(`${entryPath}: damaged (size or checksum does not match)`);
    }
    files.push({ path: entryPath, data });
  }
  return { files, skipped };
}
