/**
 * The plain Plotly figure objects the chart builders return: exactly what plotly.js's
 * `Plotly.newPlot(div, data, layout)` takes, typed only as far as kernel-lib uses it. Nothing
 * here renders; `display.ts` does that.
 */

/** One axis: its title always carries the unit, e.g. "throughput (MB/s)". */
export interface PlotlyAxis {
  title: { text: string };
  type?: "linear" | "log" | "category";
  /** Where ticks go and what they say (used for byte sizes on a log axis). */
  tickvals?: number[];
  ticktext?: string[];
  rangemode?: "normal" | "tozero";
  automargin?: boolean;
}

/** A line (scatter) trace: one series, e.g. one IPC mechanism over message sizes. */
export interface ScatterTrace {
  type: "scatter";
  mode: "lines+markers";
  name: string;
  x: number[];
  y: number[];
  /** Per-point label used in hover text (the formatted x value). */
  text: string[];
  hovertemplate: string;
}

/** A bar trace: one value per category. */
export interface BarTrace {
  type: "bar";
  name: string;
  x: string[];
  y: number[];
  /** Printed on each bar. */
  text: string[];
  textposition: "auto";
  hovertemplate: string;
}

/** Figure-wide layout. */
export interface PlotlyLayout {
  title: { text: string };
  xaxis: PlotlyAxis;
  yaxis: PlotlyAxis;
  showlegend: boolean;
  legend?: { orientation: "h" | "v"; x?: number; y?: number };
  margin?: { l?: number; r?: number; t?: number; b?: number };
  height?: number;
}

/** What every builder returns: `data` (the traces) and `layout`, both plain JSON. */
export interface PlotlyFigure {
  data: Array<ScatterTrace | BarTrace>;
  layout: PlotlyLayout;
}
