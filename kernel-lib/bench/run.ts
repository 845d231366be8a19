/**
 * `npm run bench [-- suite...] [--quick]`: runs the named benchmark suites (all by default)
 * and exits non-zero if a suite misses its goal. Benchmarks, not tests, hold the speed goals:
 * they run on request, on an otherwise quiet machine.
 */
import { benchPipes } from "./pipes";
import { benchWorkers } from "./workers";
import { benchZmq } from "./zmq";

const suites: Record<string, (o: { quick?: boolean }) => Promise<boolean>> = {
  pipes: benchPipes,
  workers: benchWorkers,
  zmq: benchZmq,
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const names = args.filter((a) => !a.startsWith("--"));
  const unknown = names.filter((n) => !(n in suites));
  if (unknown.length > 0) {
    console.error(
      `unknown suite(s): ${unknown.join(", ")}; available: ${Object.keys(suites).join(", ")}`,
    );
    process.exit(2);
  }
  let allMet = true;
  for (const name of names.length > 0 ? names : Object.keys(suites)) {
    allMet = (await suites[name]!({ quick })) && allMet;
  }
  process.exitCode = allMet ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
