/**
 * The learner's FrameDecoder for the hidden ex02 tests, refused when it is (or wraps)
 * kernel-lib's own: the same rule as the public tests apply, so a borrowed decoder cannot
 * earn hidden points either.
 */
import * as fs from "node:fs";
import { FrameDecoder as LibFrameDecoder } from "kernel-lib";
import type * as Framing from "../../../exercises/ex02-framing/framing";
import { exerciseFile, loadExercise } from "../../lib/exercise-path";

const SLUG = "ex02-framing";
const IMPORTS_LIB_DECODER = /import\s*{[^}]*\bFrameDecoder\b[^}]*}\s*from\s*["']kernel-lib["']/;

/** A new learner decoder with limit `maxMessageBytes`. */
export function learnerDecoder(maxMessageBytes: number): Framing.FrameDecoder {
  const { FrameDecoder } = loadExercise<typeof Framing>(SLUG, "framing");
  if (typeof FrameDecoder !== "function") {
    throw new Error("framing.ts must export the class FrameDecoder");
  }
  const source = fs.readFileSync(exerciseFile(SLUG, "framing"), "utf8");
  if (
    FrameDecoder === (LibFrameDecoder as unknown) ||
    Object.prototype.isPrototypeOf.call(LibFrameDecoder.prototype, FrameDecoder.prototype) ||
    IMPORTS_LIB_DECODER.test(source)
  ) {
    throw new Error("FrameDecoder must be your own class: do not import kernel-lib's FrameDecoder");
  }
  return new FrameDecoder(maxMessageBytes);
}
