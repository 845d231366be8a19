/** Plain-text renderings of figures, for terminals, Jest output and `text/plain` outputs. */
import { formatBytes, formatValue } from "./format";

/** Any Plotly figure: the builders' {@link PlotlyFigure} or one written by hand. */
export interface FigureLike {
  data: readonly object[];
  layout?: object;
}

interface LooseTrace {
  type?: unknown;
  name?: unknown;
  x?: unknown;
  y?: unknown;
}

interface LooseAxis {
  title?: unknown;
  type?: unknown;
}

function titleText(title: unknown): string | undefined {
  if (typeof title === "string") return title;
  if (typeof title === "object" && title !== null) {
    const text = (title as { text?: unknown }).text;
    if (typeof text === "string") return text;
  }
  return undefined;
}

function cell(v: unknown, bytesAxis: boolean): string {
  if (typeof v === "number") return bytesAxis ? formatBytes(v) : formatValue(v);
  return String(v);
}

/**
 * A few lines describing a figure: its title, axis titles, and each trace as `x: y` pairs
 * (sizes on a log x axis printed as bytes). At most `maxPoints` points per trace are listed.
 * Pure; accepts any figure-shaped object without throwing.
 *
 * @example
 * console.log(figureSummary(fig));
 * // Pipe throughput
 * //   x: message size (bytes, log scale); y: throughput (MB/s, ...)
 * //   coalesced: 64 B: 120 | 4 KiB: 900
 */
export function figureSummary(fig: FigureLike, maxPoints = 12): string {
  const layout = (fig.layout ?? {}) as { title?: unknown; xaxis?: LooseAxis; yaxis?: LooseAxis };
  const lines = [titleText(layout.title) ?? "Chart"];
  const xTitle = titleText(layout.xaxis?.title);
  const yTitle = titleText(layout.yaxis?.title);
  if (xTitle !== undefined || yTitle !== undefined) {
    lines.push(`  x: ${xTitle ?? "?"}; y: ${yTitle ?? "?"}`);
  }
  const bytesAxis = layout.xaxis?.type === "log" && (xTitle ?? "").includes("bytes");
  fig.data.forEach((raw, i) => {
    const t = raw as LooseTrace;
    const name = typeof t.name === "string" ? t.name : `trace ${i + 1}`;
    const xs = Array.isArray(t.x) ? (t.x as unknown[]) : [];
    const ys = Array.isArray(t.y) ? (t.y as unknown[]) : [];
    const n = Math.min(xs.length, ys.length);
    const pairs: string[] = [];
    for (let k = 0; k < Math.min(n, maxPoints); k++) {
      pairs.push(`${cell(xs[k], bytesAxis)}: ${cell(ys[k], false)}`);
    }
    if (n > maxPoints) pairs.push(`... (${n - maxPoints} more)`);
    lines.push(`  ${name}: ${pairs.join(" | ")}`);
  });
  return lines.join("\n");
}
