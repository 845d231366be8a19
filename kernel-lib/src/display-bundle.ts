/**
 * Jupyter display bundles (the `data`/`metadata`/`transient` content of one `display_data`
 * message) for charts and tables. Pure functions: they know the Jupyter front ends, not the
 * kernel, so tests can inspect exactly what a notebook would receive. `display.ts` sends them.
 */
import { figureSummary, type FigureLike } from "./charts/summary";
import { formatValue } from "./charts/format";

/** The content of one `display_data` message: several MIME renderings of one thing. */
export interface DisplayBundle {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  transient: Record<string, unknown>;
}

/** The MIME type Plotly's Jupyter renderer draws (JupyterLab, Notebook 7, VS Code). */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** Where plotly.min.js lies, as the kernel sees it; the browser turns this into a URL. */
export interface PlotlyLocation {
  /** Absolute path of plotly.min.js, with "/" separators. */
  absolutePath: string;
  /** The same file relative to the kernel's working directory (the notebook's folder). */
  fromNotebookDir: string;
  /** The kernel user's home directory, to match a server root written as "~/...". */
  homeDir: string;
}

/** JSON for embedding inside a <script>: "<" escaped so "</script>" cannot end it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

// Runs in the browser (ES5: Notebook 6 pages too). Loads plotly.js once per page through the
// Jupyter server's /files/ route with a created <script> element (a static <script src> races
// in JupyterLab), queues every chart's draw until the bundle has loaded, and draws at once when
// window.Plotly already exists. The server path of the bundle comes from the front end:
// JupyterLab's page config has serverRoot and baseUrl; Notebook 6 has data-notebook-path and
// data-base-url on <body>; Notebook 7 has only baseUrl, and the notebook path in its URL.
const LOADER_JS = `
var w = window;
function fail(text) {
  var el = document.getElementById(divId);
  if (!el) return;
  var msg = document.createElement("div");
  msg.style.color = "#a00";
  msg.textContent = text;
  el.insertBefore(msg, el.firstChild);
}
function draw() {
  var el = document.getElementById(divId);
  if (!el) return;
  el.innerHTML = "";
  w.Plotly.newPlot(el, fig.data, fig.layout, { responsive: true, displaylogo: false });
}
function withSlash(s) { return s.charAt(s.length - 1) === "/" ? s : s + "/"; }
function encodePath(p) { return p.split("/").map(encodeURIComponent).join("/"); }
function pageConfig() {
  var el = document.getElementById("jupyter-config-data");
  if (!el) return {};
  try { return JSON.parse(el.textContent || "{}"); } catch (e) { return {}; }
}
function resolve(parts) {
  var out = [];
  for (var i = 0; i < parts.length; i++) {
    var p = parts[i];
    if (p === "" || p === ".") continue;
    if (p === "..") { if (out.length === 0) return null; out.pop(); } else out.push(p);
  }
  return out.join("/");
}
function notebookPath(base) {
  var fromBody = document.body && document.body.getAttribute("data-notebook-path");
  if (fromBody) return fromBody;
  var p = location.pathname;
  if (p.indexOf(base) === 0) p = p.slice(base.length);
  var m = /^(?:notebooks|lab\\/tree|lab\\/workspaces\\/[^\\/]+\\/tree|doc\\/tree)\\/(.+)$/.exec(p);
  return m ? decodeURIComponent(m[1]) : null;
}
function plotlyUrl() {
  var cfg = pageConfig();
  var bodyBase = document.body && document.body.getAttribute("data-base-url");
  var base = withSlash(cfg.baseUrl || bodyBase || "/");
  var root = cfg.serverRoot;
  if (typeof root === "string" && root) {
    root = root.replace(/\\\\/g, "/");
    if (root.charAt(0) === "~") root = loc.homeDir + root.slice(1);
    root = withSlash(root);
    if (loc.absolutePath.indexOf(root) === 0) {
      return base + "files/" + encodePath(loc.absolutePath.slice(root.length));
    }
  }
  var nb = notebookPath(base);
  if (nb === null) return null;
  var rel = resolve(nb.split("/").slice(0, -1).concat(loc.fromNotebookDir.split("/")));
  return rel === null ? null : base + "files/" + encodePath(rel);
}
if (w.Plotly && typeof w.Plotly.newPlot === "function") { draw(); return; }
var state = w.__ipcCoursePlotly || (w.__ipcCoursePlotly = { queue: [], loading: false });
state.queue.push({ draw: draw, fail: fail });
if (state.loading) return;
var url = plotlyUrl();
function failAll(text) {
  var jobs = state.queue.splice(0);
  for (var i = 0; i < jobs.length; i++) jobs[i].fail(text);
}
if (!url) {
  failAll("Chart not drawn: plotly.js is outside the Jupyter server's folder. Start Jupyter in the project folder (npm start).");
  return;
}
state.loading = true;
var s = document.createElement("script");
s.src = url;
s.async = true;
s.onload = function () {
  state.loading = false;
  if (!w.Plotly) { failAll("Chart not drawn: " + url + " loaded but did not define window.Plotly."); return; }
  var jobs = state.queue.splice(0);
  for (var i = 0; i < jobs.length; i++) {
    try { jobs[i].draw(); } catch (e) { jobs[i].fail("Chart not drawn: " + e); }
  }
};
s.onerror = function () {
  state.loading = false;
  failAll("Chart not drawn: could not load " + url + ". Start Jupyter in the project folder (npm start).");
};
document.head.appendChild(s);
`;

/**
 * The display bundle for one chart: `application/vnd.plotly.v1+json` (the figure as an object,
 * `layout` always present), `text/html` (a div holding a text summary, replaced by the chart
 * once a script loads plotly.js from the server; no plotly.js inlined) and `text/plain` (the
 * summary). `divId` must be unique in the page. Pure.
 *
 * @example
 * const bundle = chartBundle(fig, "chart-1", plotlyLocation());
 * bundle.data["application/vnd.plotly.v1+json"]; // { data: [...], layout: {...} }
 */
export function chartBundle(fig: FigureLike, divId: string, plotly: PlotlyLocation): DisplayBundle {
  if (!/^[A-Za-z][\w-]*$/.test(divId)) throw new Error(`invalid div id "${divId}"`);
  const figure = { data: fig.data, layout: fig.layout ?? {} };
  const summary = figureSummary(figure);
  const html =
    `<div id="${divId}" class="ipc-course-chart">` +
    `<pre style="color:#666">${escapeHtml(summary)}\n` +
    `(An interactive chart appears here when the notebook is trusted: run the cell.)</pre></div>\n` +
    `<script type="text/javascript">\n(function () {\n` +
    `var fig = ${scriptJson(figure)};\nvar divId = ${scriptJson(divId)};\n` +
    `var loc = ${scriptJson(plotly)};\n${LOADER_JS}})();\n</script>`;
  return {
    data: { [PLOTLY_MIME]: figure, "text/html": html, "text/plain": summary },
    metadata: {},
    transient: {},
  };
}

/** A table row: column name to cell value. */
export type TableRow = Readonly<Record<string, unknown>>;

/** Options for {@link tableBundle}. */
export interface TableOptions {
  /** Columns to show, in order. Default: every key, in order of first appearance. */
  columns?: readonly string[];
  /** A line shown above the table. */
  caption?: string;
}

function cellText(value: unknown): string {
  if (typeof value === "number")
    return Number.isInteger(value) ? String(value) : formatValue(value);
  if (value === undefined || value === null) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * The display bundle for a table of rows: `text/html` (an HTML table, numbers right-aligned)
 * and `text/plain` (aligned columns). Integers print as they are, other numbers with three
 * significant digits, objects as JSON, missing cells empty. Pure.
 *
 * @example
 * tableBundle([{ size: "64 B", "MB/s": 120.5 }]).data["text/plain"];
 * // size  MB/s
 * // 64 B   121
 */
export function tableBundle(rows: readonly TableRow[], options: TableOptions = {}): DisplayBundle {
  const columns = options.columns ? [...options.columns] : [];
  if (!options.columns) {
    for (const row of rows)
      for (const key of Object.keys(row)) {
        if (!columns.includes(key)) columns.push(key);
      }
  }
  const cells = rows.map((row) => columns.map((c) => cellText(row[c])));
  const numeric = columns.map(
    (c) => rows.length > 0 && rows.every((r) => typeof r[c] === "number"),
  );
  const widths = columns.map((c, i) =>
    Math.max(c.length, ...cells.map((r) => (r[i] ?? "").length)),
  );
  const pad = (text: string, i: number): string =>
    numeric[i] ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0);
  const textLines = [columns.map(pad).join("  ").trimEnd()];
  for (const r of cells) textLines.push(r.map(pad).join("  ").trimEnd());
  if (options.caption !== undefined) textLines.unshift(options.caption);
  const align = (i: number): string => (numeric[i] ? ' style="text-align:right"' : "");
  const html =
    "<table>" +
    (options.caption !== undefined ? `<caption>${escapeHtml(options.caption)}</caption>` : "") +
    `<thead><tr>${columns.map((c, i) => `<th${align(i)}>${escapeHtml(c)}</th>`).join("")}</tr></thead>` +
    `<tbody>${cells
      .map((r) => `<tr>${r.map((t, i) => `<td${align(i)}>${escapeHtml(t)}</td>`).join("")}</tr>`)
      .join("")}</tbody></table>`;
  return {
    data: { "text/html": html, "text/plain": textLines.join("\n") },
    metadata: {},
    transient: {},
  };
}
