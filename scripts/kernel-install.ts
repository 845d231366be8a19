// `npm run kernel:install` registers the `ipc-course` Jupyter kernel for this checkout;
// `npm run kernel:uninstall` (this script with --uninstall) removes it.
import { installKernelSpec, uninstallKernelSpec } from "./lib/kernelspec";

async function main(): Promise<void> {
  if (process.argv.includes("--uninstall")) {
    const { specDir, removed } = await uninstallKernelSpec();
    console.log(
      removed ? `Removed kernel ipc-course: ${specDir}` : `Nothing to remove at ${specDir}`,
    );
    return;
  }
  const { specDir, changed } = await installKernelSpec();
  console.log(
    changed
      ? `Installed kernel ipc-course: ${specDir}/kernel.json`
      : `Kernel ipc-course already up to date: ${specDir}/kernel.json`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
