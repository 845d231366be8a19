/** A bar chart: one measured value per category (a mechanism, a setting, a run). */
import { ChannelError } from "../channel";
import type { PlotlyFigure } from "./figure";
import { formatValue } from "./format";
import { requireFinite, requireText } from "./validate";

/** One bar: its category label and value. */
export interface Bar {
  label: string;
  value: number;
}

/** Options for {@link barChart}. */
export interface BarChartOptions {
  title: string;
  /** What the bars measure, e.g. "bytes accepted before the write blocked". */
  quantity: string;
  /** Unit of the values, e.g. "KiB", "MB/s", "µs"; shown in the axis title. */
  unit: string;
  /** What the categories are, e.g. "mechanism". */
  categoryTitle: string;
  bars: readonly Bar[];
}

/**
 * Builds a bar chart: categories on x in the given order, values on y with the title
 * "quantity (unit)", each bar labelled with its value. Pure: returns a new plain object.
 *
 * Fails with `InvalidArgument` when there are no bars, a label is empty or repeated, a value
 * is NaN or infinite, or the title, quantity, unit or category title is empty.
 *
 * @example
 * showChart(barChart({
 *   title: "Pipe capacity", quantity: "capacity", unit: "KiB", categoryTitle: "pipe",
 *   bars: [{ label: "measured", value: 64 }, { label: "Linux default", value: 64 }],
 * }));
 */
export function barChart(options: BarChartOptions): PlotlyFigure {
  const title = requireText(options.title, "chart title");
  const quantity = requireText(options.quantity, `chart "${title}" quantity`);
  const unit = requireText(options.unit, `chart "${title}" unit`);
  const categoryTitle = requireText(options.categoryTitle, `chart "${title}" categoryTitle`);
  const barList: readonly Bar[] = options.bars;
  if (!Array.isArray(barList as unknown) || barList.length === 0) {
    throw new ChannelError("InvalidArgument", `chart "${title}" has no bars to draw`);
  }
  const labels = new Set<string>();
  const bars = barList.map((bar, i) => {
    const label = requireText(bar.label, `chart "${title}", bar ${i + 1} label`);
    if (labels.has(label)) {
      throw new ChannelError(
        "InvalidArgument",
        `chart "${title}" has two bars labelled "${label}"`,
      );
    }
    labels.add(label);
    return { label, value: requireFinite(bar.value, `bar "${label}" value`) };
  });
  return {
    data: [
      {
        type: "bar",
        name: quantity,
        x: bars.map((b) => b.label),
        y: bars.map((b) => b.value),
        text: bars.map((b) => `${formatValue(b.value)} ${unit}`),
        textposition: "auto",
        hovertemplate: `%{x}: %{y} ${unit}<extra></extra>`,
      },
    ],
    layout: {
      title: { text: title },
      xaxis: { title: { text: categoryTitle }, type: "category", automargin: true },
      yaxis: { title: { text: `${quantity} (${unit})` }, rangemode: "tozero", automargin: true },
      showlegend: false,
      margin: { t: 60 },
      height: 380,
    },
  };
}
