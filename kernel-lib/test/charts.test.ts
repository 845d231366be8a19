/**
 * Chart builders: the plain Plotly objects they return (axes, units, traces) and the errors
 * they raise for input a chart cannot show.
 */
import { isChannelError } from "../src/channel";
import { barChart } from "../src/charts/bar";
import { formatBytes, formatValue } from "../src/charts/format";
import { sizeSweepChart, type SizeSeries } from "../src/charts/size-sweep";
import { figureSummary } from "../src/charts/summary";

function invalidArgument(build: () => unknown): string {
  try {
    build();
  } catch (err) {
    if (!isChannelError(err, "InvalidArgument")) {
      throw new Error(`expected an InvalidArgument ChannelError, got: ${String(err)}`, {
        cause: err,
      });
    }
    return err.message;
  }
  throw new Error("expected the builder to throw InvalidArgument, but it returned a figure");
}

const twoMechanisms: SizeSeries[] = [
  {
    name: "coalesced",
    points: [
      { sizeBytes: 65536, value: 1800 },
      { sizeBytes: 64, value: 150 },
      { sizeBytes: 4096, value: 1200 },
    ],
  },
  {
    name: "one write per message",
    points: [
      { sizeBytes: 64, value: 20 },
      { sizeBytes: 1048576, value: 2100 },
    ],
  },
];

describe("formatBytes and formatValue", () => {
  it("prints byte sizes in exact binary units", () => {
    expect([64, 1024, 1536, 4096, 65536, 1048576].map(formatBytes)).toEqual([
      "64 B",
      "1 KiB",
      "1.5 KiB",
      "4 KiB",
      "64 KiB",
      "1 MiB",
    ]);
  });

  it("prints measured values with three significant digits", () => {
    expect([0, 0.012345, 12.345, 999.4, 123456.7].map(formatValue)).toEqual([
      "0",
      "0.0123",
      "12.3",
      "999",
      "123,457",
    ]);
  });
});

describe("sizeSweepChart", () => {
  it("puts message sizes on a log x axis with byte tick labels", () => {
    const fig = sizeSweepChart({
      title: "Pipe throughput",
      metric: "throughput",
      series: twoMechanisms,
    });
    expect(fig.layout.xaxis.type).toBe("log");
    expect(fig.layout.xaxis.title.text).toMatch(/bytes/);
    expect(fig.layout.xaxis.tickvals).toEqual([64, 4096, 65536, 1048576]);
    expect(fig.layout.xaxis.ticktext).toEqual(["64 B", "4 KiB", "64 KiB", "1 MiB"]);
  });

  it("draws one trace per series, points sorted by size", () => {
    const fig = sizeSweepChart({ title: "t", metric: "throughput", series: twoMechanisms });
    expect(fig.data.map((t) => t.name)).toEqual(["coalesced", "one write per message"]);
    expect(fig.data[0]).toMatchObject({
      type: "scatter",
      x: [64, 4096, 65536],
      y: [150, 1200, 1800],
      text: ["64 B", "4 KiB", "64 KiB"],
    });
    expect(fig.layout.showlegend).toBe(true);
  });

  it.each([
    ["throughput", "MB/s"],
    ["messageRate", "messages/s"],
    ["latency", "µs"],
  ] as const)("names the unit of %s in the y axis title", (metric, unit) => {
    const fig = sizeSweepChart({ title: "t", metric, series: twoMechanisms });
    expect(fig.layout.yaxis.title.text).toContain(`(${unit}`);
    expect(fig.layout.yaxis.type).toBe("linear");
  });

  it("uses a log y axis only when asked", () => {
    const fig = sizeSweepChart({
      title: "t",
      metric: "latency",
      series: twoMechanisms,
      logY: true,
    });
    expect(fig.layout.yaxis.type).toBe("log");
    expect(fig.layout.yaxis.rangemode).toBeUndefined();
  });

  it("returns plain JSON that survives a round trip unchanged", () => {
    const fig = sizeSweepChart({ title: "t", metric: "throughput", series: twoMechanisms });
    expect(JSON.parse(JSON.stringify(fig))).toEqual(fig);
  });

  it("rejects a chart without series", () => {
    expect(
      invalidArgument(() => sizeSweepChart({ title: "t", metric: "throughput", series: [] })),
    ).toMatch(/no series/);
  });

  it("rejects a series without points, naming it", () => {
    const msg = invalidArgument(() =>
      sizeSweepChart({ title: "t", metric: "throughput", series: [{ name: "empty", points: [] }] }),
    );
    expect(msg).toMatch(/series "empty" has no points/);
  });

  it.each([NaN, Infinity, -Infinity])("rejects a value of %p, naming series and point", (bad) => {
    const msg = invalidArgument(() =>
      sizeSweepChart({
        title: "t",
        metric: "throughput",
        series: [
          {
            name: "pipe",
            points: [
              { sizeBytes: 64, value: 1 },
              { sizeBytes: 4096, value: bad },
            ],
          },
        ],
      }),
    );
    expect(msg).toContain('series "pipe", point 2 (4 KiB) value');
    expect(msg).toContain(String(bad));
  });

  it.each([0, -64, NaN])("rejects a message size of %p (a log axis cannot show it)", (size) => {
    invalidArgument(() =>
      sizeSweepChart({
        title: "t",
        metric: "throughput",
        series: [{ name: "pipe", points: [{ sizeBytes: size, value: 1 }] }],
      }),
    );
  });

  it("rejects two series with one name and two points at one size", () => {
    const point = { sizeBytes: 64, value: 1 };
    expect(
      invalidArgument(() =>
        sizeSweepChart({
          title: "t",
          metric: "throughput",
          series: [
            { name: "a", points: [point] },
            { name: "a", points: [point] },
          ],
        }),
      ),
    ).toMatch(/two series named "a"/);
    expect(
      invalidArgument(() =>
        sizeSweepChart({
          title: "t",
          metric: "throughput",
          series: [{ name: "a", points: [point, point] }],
        }),
      ),
    ).toMatch(/two points at 64 B/);
  });

  it("rejects an unknown metric and an empty title", () => {
    invalidArgument(() =>
      sizeSweepChart({ title: "t", metric: "bandwidth" as "throughput", series: twoMechanisms }),
    );
    invalidArgument(() =>
      sizeSweepChart({ title: " ", metric: "throughput", series: twoMechanisms }),
    );
  });
});

describe("barChart", () => {
  const bars = [
    { label: "measured", value: 64 },
    { label: "Linux default", value: 64 },
    { label: "PIPE_BUF", value: 4 },
  ];

  it("keeps the categories in the given order and titles the value axis with its unit", () => {
    const fig = barChart({
      title: "Pipe capacity",
      quantity: "capacity",
      unit: "KiB",
      categoryTitle: "pipe",
      bars,
    });
    expect(fig.data).toHaveLength(1);
    expect(fig.data[0]).toMatchObject({
      type: "bar",
      x: ["measured", "Linux default", "PIPE_BUF"],
      y: [64, 64, 4],
      text: ["64 KiB", "64 KiB", "4 KiB"],
    });
    expect(fig.layout.yaxis.title.text).toBe("capacity (KiB)");
    expect(fig.layout.xaxis.title.text).toBe("pipe");
    expect(fig.layout.xaxis.type).toBe("category");
  });

  it("rejects no bars, NaN values, repeated labels and a missing unit", () => {
    const base = { title: "t", quantity: "q", unit: "u", categoryTitle: "c" };
    expect(invalidArgument(() => barChart({ ...base, bars: [] }))).toMatch(/no bars/);
    expect(
      invalidArgument(() => barChart({ ...base, bars: [{ label: "x", value: NaN }] })),
    ).toMatch(/bar "x" value.*NaN/);
    expect(
      invalidArgument(() =>
        barChart({
          ...base,
          bars: [
            { label: "x", value: 1 },
            { label: "x", value: 2 },
          ],
        }),
      ),
    ).toMatch(/two bars labelled "x"/);
    invalidArgument(() => barChart({ ...base, unit: "", bars }));
  });
});

describe("figureSummary", () => {
  it("lists title, axes and each series with sizes in bytes", () => {
    const text = figureSummary(
      sizeSweepChart({ title: "Pipe throughput", metric: "throughput", series: twoMechanisms }),
    );
    const lines = text.split("\n");
    expect(lines[0]).toBe("Pipe throughput");
    expect(lines[1]).toContain("x: message size (bytes, log scale); y: throughput (MB/s");
    expect(lines[2]).toBe("  coalesced: 64 B: 150 | 4 KiB: 1,200 | 64 KiB: 1,800");
    expect(lines[3]).toBe("  one write per message: 64 B: 20 | 1 MiB: 2,100");
  });

  it("describes a hand-written figure without a layout", () => {
    expect(figureSummary({ data: [{ x: ["a"], y: [1] }] })).toBe("Chart\n  trace 1: a: 1");
  });
});
