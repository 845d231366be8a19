// `npm run doctor`: the workshop pre-flight. One line per check, OK or FAIL with the fix;
// exits 1 when any check fails.
import { preflightChecks, runCheck } from "./lib/preflight-checks";

async function main(): Promise<number> {
  let failures = 0;
  for (const check of preflightChecks) {
    const result = await runCheck(check);
    if (result.ok) {
      console.log(`OK    ${result.name}: ${result.detail}`);
    } else {
      failures++;
      console.log(`FAIL  ${result.name}: ${result.detail} -> fix: ${result.fix}`);
    }
  }
  console.log(failures === 0 ? "doctor: all checks passed" : `doctor: ${failures} check(s) failed`);
  return failures === 0 ? 0 : 1;
}

main().then((code) => process.exit(code));
