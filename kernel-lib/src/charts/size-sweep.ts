/**
 * The course's main chart: a measured quantity over message sizes, one line per mechanism
 * (or per variant of one), with the sizes on a log axis labelled in bytes.
 */
import { ChannelError } from "../channel";
import type { PlotlyFigure, ScatterTrace } from "./figure";
import { formatBytes } from "./format";
import { requireFinite, requireText } from "./validate";

/** What the y axis shows; each has a fixed axis title with its unit. */
export type SweepMetric = "throughput" | "messageRate" | "latency";

/** Axis title (with unit) and hover unit for each {@link SweepMetric}. */
export const SWEEP_METRICS: Readonly<Record<SweepMetric, { axisTitle: string; unit: string }>> = {
  throughput: { axisTitle: "throughput (MB/s, 1 MB = 10^6 bytes)", unit: "MB/s" },
  messageRate: { axisTitle: "message rate (messages/s)", unit: "msgs/s" },
  latency: { axisTitle: "latency per message (µs)", unit: "µs" },
};

/** One measurement: the message size in bytes and the value measured at that size. */
export interface SizePoint {
  sizeBytes: number;
  value: number;
}

/** One line of the chart: a name for the legend and its points (any order). */
export interface SizeSeries {
  name: string;
  points: readonly SizePoint[];
}

/** Options for {@link sizeSweepChart}. */
export interface SizeSweepOptions {
  title: string;
  metric: SweepMetric;
  series: readonly SizeSeries[];
  /** Log scale on the y axis too (useful when values span orders of magnitude). Default false. */
  logY?: boolean;
}

/**
 * Builds a line chart of `metric` over message size: x is the message size on a log axis with
 * ticks labelled "64 B", "4 KiB", ..., y the metric with its unit in the axis title, one trace
 * per series with points sorted by size. Pure: returns a new plain object, renders nothing.
 *
 * Fails with `InvalidArgument` (naming the series and point) when there are no series, a series
 * has no points or no name, two series share a name, a size is not a positive finite number
 * (a log axis cannot show it), a size repeats within a series, or a value is NaN or infinite.
 *
 * @example
 * const fig = sizeSweepChart({
 *   title: "Pipe throughput",
 *   metric: "throughput",
 *   series: [{ name: "coalesced", points: [{ sizeBytes: 64, value: 120 }, { sizeBytes: 4096, value: 900 }] }],
 * });
 * showChart(fig);
 */
export function sizeSweepChart(options: SizeSweepOptions): PlotlyFigure {
  const title = requireText(options.title, "chart title");
  const metric = SWEEP_METRICS[options.metric];
  if (metric === undefined) {
    throw new ChannelError(
      "InvalidArgument",
      `unknown metric "${String(options.metric)}"; use one of ${Object.keys(SWEEP_METRICS).join(", ")}`,
    );
  }
  const seriesList: readonly SizeSeries[] = options.series;
  // (Array.isArray on `unknown`: on a readonly array type it would narrow to any[].)
  if (!Array.isArray(seriesList as unknown) || seriesList.length === 0) {
    throw new ChannelError("InvalidArgument", `chart "${title}" has no series to draw`);
  }
  const names = new Set<string>();
  const allSizes = new Set<number>();
  const data: ScatterTrace[] = seriesList.map((series, s) => {
    const name = requireText(series.name, `chart "${title}", series ${s + 1} name`);
    if (names.has(name)) {
      throw new ChannelError("InvalidArgument", `chart "${title}" has two series named "${name}"`);
    }
    names.add(name);
    if (series.points.length === 0) {
      throw new ChannelError("InvalidArgument", `series "${name}" has no points`);
    }
    const points = series.points.map((p, i) => {
      const where = `series "${name}", point ${i + 1}`;
      const sizeBytes = requireFinite(p.sizeBytes, `${where} sizeBytes`);
      if (sizeBytes <= 0) {
        throw new ChannelError(
          "InvalidArgument",
          `${where}: sizeBytes must be > 0 for a log axis, got ${sizeBytes}`,
        );
      }
      const value = requireFinite(p.value, `${where} (${formatBytes(sizeBytes)}) value`);
      return { sizeBytes, value };
    });
    points.sort((a, b) => a.sizeBytes - b.sizeBytes);
    for (let i = 1; i < points.length; i++) {
      if (points[i]?.sizeBytes === points[i - 1]?.sizeBytes) {
        throw new ChannelError(
          "InvalidArgument",
          `series "${name}" has two points at ${formatBytes(points[i]?.sizeBytes ?? 0)}`,
        );
      }
    }
    for (const p of points) allSizes.add(p.sizeBytes);
    return {
      type: "scatter",
      mode: "lines+markers",
      name,
      x: points.map((p) => p.sizeBytes),
      y: points.map((p) => p.value),
      text: points.map((p) => formatBytes(p.sizeBytes)),
      hovertemplate: `${name}<br>%{text}: %{y:.4~s} ${metric.unit}<extra></extra>`,
    };
  });
  const ticks = [...allSizes].sort((a, b) => a - b);
  return {
    data,
    layout: {
      title: { text: title },
      xaxis: {
        title: { text: "message size (bytes, log scale)" },
        type: "log",
        tickvals: ticks,
        ticktext: ticks.map(formatBytes),
        automargin: true,
      },
      yaxis: {
        title: { text: metric.axisTitle + (options.logY ? ", log scale" : "") },
        type: options.logY ? "log" : "linear",
        ...(options.logY ? {} : { rangemode: "tozero" as const }),
        automargin: true,
      },
      showlegend: true,
      legend: { orientation: "h", y: -0.25 },
      margin: { t: 60 },
      height: 420,
    },
  };
}
