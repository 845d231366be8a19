/**
 * The formats `grade.ts` writes a submission's results in: Gradescope's `results.json`
 * (the default), PrairieLearn's result, or the grader's own report as JSON. The exporters are
 * `autograder/formats/`; this is the one place that picks among them.
 */
import { toGradescopeResults, toPrairieLearnResult } from "../formats";
import type { SubmissionReport } from "./grade-submission";

/** The formats `--format` accepts. */
export const OUTPUT_FORMATS = ["gradescope", "prairielearn", "json"] as const;

/** One of {@link OUTPUT_FORMATS}. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** `text` as a format; throws an `Error` listing the formats when it is none of them. */
export function parseOutputFormat(text: string): OutputFormat {
  const format = OUTPUT_FORMATS.find((f) => f === text);
  if (!format)
    throw new Error(`--format must be one of ${OUTPUT_FORMATS.join(", ")}, got "${text}"`);
  return format;
}

/**
 * The report in `format`, as the text of a JSON file.
 *
 * @example
 * fs.writeFileSync("results.json", formatReport(report, "gradescope"));
 */
export function formatReport(report: SubmissionReport, format: OutputFormat): string {
  const body =
    format === "gradescope"
      ? toGradescopeResults(report)
      : format === "prairielearn"
        ? toPrairieLearnResult(report)
        : report;
  return JSON.stringify(body, null, 2) + "\n";
}
