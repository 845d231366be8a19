/**
 * The GitHub Classroom workflow shipped in the student bundle as
 * `.github/workflows/classroom.yml`. It follows the layout of GitHub Classroom's own autograding
 * workflows: one `classroom-resources/autograding-command-grader@v1` step per exercise, then
 * `classroom-resources/autograding-grading-reporter@v1` reporting every step's result
 * (https://github.com/classroom-resources/autograding-command-grader).
 *
 * The command grader awards a step's `max-score` when its command exits 0, and
 * `npm run check -- exNN` exits 0 only at full marks: in Classroom each exercise scores all or
 * nothing. The run's log still shows the per-test table and `Score: x/y`.
 */

/** One exercise of the workflow. */
export interface ClassroomExercise {
  /** "ex02-framing". */
  slug: string;
  maxPoints: number;
}

/** Minutes each exercise's step may take (the command grader's `timeout`). */
const STEP_TIMEOUT_MINUTES = 10;

/** The workflow file's text (YAML, formatted as Prettier formats it). */
export function classroomWorkflow(exercises: readonly ClassroomExercise[]): string {
  const steps = exercises.map(({ slug, maxPoints }) => {
    const short = /^ex\d\d/.exec(slug)?.[0] ?? slug;
    return [
      `      - name: ${slug}`,
      `        id: ${slug}`,
      `        uses: classroom-resources/autograding-command-grader@v1`,
      `        with:`,
      `          test-name: ${slug}`,
      `          setup-command: ""`,
      `          command: npm run check -- ${short}`,
      `          timeout: ${STEP_TIMEOUT_MINUTES}`,
      `          max-score: ${maxPoints}`,
    ].join("\n");
  });
  // The reporter reads each step's result from <STEP ID IN CAPITALS>_RESULTS.
  const env = exercises.map(
    ({ slug }) => `          ${slug.toUpperCase()}_RESULTS: "\${{ steps.${slug}.outputs.result }}"`,
  );
  return `# GitHub Classroom autograding: one step per exercise, worth its points when
# \`npm run check -- exNN\` reaches full marks. Written by \`npm run release\`; see the README.
name: Autograding Tests
"on":
  - push
  - repository_dispatch
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    steps:
      - name: Checkout code
        uses: actions/checkout@v4
      - name: Set up Node 20
        uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - name: Install dependencies
        run: npm ci --no-audit --no-fund
${steps.join("\n")}
      - name: Autograding Reporter
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
${env.join("\n")}
        with:
          runners: ${exercises.map((e) => e.slug).join(",")}
`;
}
