/**
 * Showing charts and tables in a notebook. The only module in kernel-lib that knows tslab
 * exists; everything else runs under plain Node and Jest. Outside a kernel, each `show*`
 * function prints a plain-text rendering instead, so notebook code also runs in a terminal.
 */
import { randomBytes } from "node:crypto";
import * as os from "node:os";
import * as path from "node:path";
import type { FigureLike } from "./charts/summary";
import {
  chartBundle,
  tableBundle,
  type DisplayBundle,
  type PlotlyLocation,
  type TableOptions,
  type TableRow,
} from "./display-bundle";

/** tslab's internal writer: sends one `display_data` (or `update_display_data`) message. */
type WriteDisplayData = (bundle: DisplayBundle, update: boolean) => void;

/** What {@link findTslabDisplay} found in a module cache. */
export interface TslabDisplay {
  /** The running kernel's writer for the current cell, when tslab is executing one. */
  write?: WriteDisplayData;
  /** tslab's public `display.html`, the fallback when the writer cannot be reached. */
  html?: (html: string) => void;
}

const TSLAB_DIST = /[\\/]tslab[\\/]dist[\\/](?:public|jupyter|main)\.js$/;

/**
 * Finds the running tslab in a module cache (default: `require.cache`). tslab 1.0.22 keeps the
 * current cell's writer in `lastWriteDisplayData`, exported by `dist/jupyter.js` beside the
 * `dist/public.js` that cells get from `require("tslab")`, and replaces it at the start of
 * every execution: so this must be read synchronously, inside the cell, never cached. A tslab
 * that is loaded but not executing a cell has no writer. Never loads tslab itself; never throws.
 *
 * @example
 * findTslabDisplay().write === undefined // under Jest or plain Node
 */
export function findTslabDisplay(cache: NodeJS.Dict<NodeModule> = require.cache): TslabDisplay {
  const found: TslabDisplay = {};
  try {
    const dists = new Set<string>();
    for (const file of Object.keys(cache)) {
      if (TSLAB_DIST.test(file)) dists.add(path.dirname(file));
    }
    for (const dist of dists) {
      const jupyter = cache[path.join(dist, "jupyter.js")]?.exports as
        { lastWriteDisplayData?: unknown } | undefined;
      const publicApi = cache[path.join(dist, "public.js")]?.exports as
        { display?: { html?: unknown } } | undefined;
      const write = jupyter?.lastWriteDisplayData;
      const html = publicApi?.display?.html;
      if (typeof write === "function") {
        found.write = write as WriteDisplayData;
        if (typeof html === "function") found.html = (s) => (html as (s: string) => void)(s);
        return found;
      }
      if (typeof html === "function" && found.html === undefined) {
        found.html = (s) => (html as (s: string) => void).call(publicApi?.display, s);
      }
    }
  } catch {
    // A strange cache entry must not break a notebook: fall back to text.
  }
  return found;
}

/**
 * Sends `bundle` as one display_data message of the current cell. Falls back to tslab's
 * `display.html` (HTML rendering only), then to printing the text/plain rendering on stdout.
 * Returns nothing on purpose: tslab would print a returned value under every chart.
 */
function send(bundle: DisplayBundle): void {
  const tslab = findTslabDisplay();
  if (tslab.write) {
    tslab.write(bundle, false);
    return;
  }
  const html = bundle.data["text/html"];
  if (tslab.html && typeof html === "string") {
    try {
      tslab.html(html);
      return;
    } catch {
      // tslab's display throws "Not ready" outside a cell: print instead.
    }
  }
  console.log(String(bundle.data["text/plain"] ?? ""));
}

/**
 * Where plotly.min.js (package plotly.js-dist-min) lies, relative to this kernel's working
 * directory, which Jupyter sets to the notebook's folder. Synchronous; throws if the package is
 * not installed.
 *
 * @example
 * plotlyLocation().fromNotebookDir // "../node_modules/plotly.js-dist-min/plotly.min.js"
 */
export function plotlyLocation(): PlotlyLocation {
  const absolute = require.resolve("plotly.js-dist-min/plotly.min.js");
  const slashes = (p: string): string => p.split(path.sep).join("/");
  return {
    absolutePath: slashes(absolute),
    fromNotebookDir: slashes(path.relative(process.cwd(), absolute)),
    homeDir: slashes(os.homedir()),
  };
}

/**
 * Shows a Plotly figure (from `sizeSweepChart`, `barChart`, or written by hand) as the output
 * of the current cell: one display_data with the Plotly MIME type (drawn by JupyterLab's and
 * Notebook 7's Plotly renderer), an HTML fallback that loads plotly.js from the project's
 * node_modules through the Jupyter server, and a text summary. Synchronous: call it from the
 * cell's own code (also after `await` in the cell), not from a callback that fires after the
 * cell finished, or the chart lands in a later cell. Outside a kernel (plain Node, Jest) it
 * prints the text summary instead.
 *
 * @example
 * showChart(sizeSweepChart({ title: "Pipe throughput", metric: "throughput", series }));
 */
export function showChart(fig: FigureLike): void {
  const divId = `ipc-chart-${randomBytes(6).toString("hex")}`;
  send(chartBundle(fig, divId, plotlyLocation()));
}

/**
 * Shows rows as a table (HTML in a notebook, aligned text elsewhere). Same timing rule and
 * fallbacks as {@link showChart}.
 *
 * @example
 * showTable([{ size: "64 B", "MB/s": 118.2 }, { size: "4 KiB", "MB/s": 1630 }]);
 */
export function showTable(rows: readonly TableRow[], options: TableOptions = {}): void {
  send(tableBundle(rows, options));
}
