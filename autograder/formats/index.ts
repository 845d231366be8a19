/**
 * Exporters from the grading report (`GradeReport`, `lib/result.ts`) to what learning
 * platforms read. `grade.ts --out` calls these; both are pure functions of the report.
 */
export {
  toGradescopeResults,
  type GradescopeResults,
  type GradescopeTest,
  type GradescopeVisibility,
} from "./gradescope";
export {
  toPrairieLearnResult,
  type PrairieLearnResult,
  type PrairieLearnTest,
} from "./prairielearn";
