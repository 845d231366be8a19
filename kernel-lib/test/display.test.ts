/**
 * Display bundles (what one display_data carries) and the browser loader inside the chart's
 * HTML, run against a fake page of each Jupyter front end; plus how `show*` finds tslab.
 */
import * as vm from "node:vm";
import { barChart } from "../src/charts/bar";
import { sizeSweepChart } from "../src/charts/size-sweep";
import {
  chartBundle,
  PLOTLY_MIME,
  tableBundle,
  type DisplayBundle,
  type PlotlyLocation,
} from "../src/display-bundle";
import { findTslabDisplay, showChart, showTable } from "../src/display";

const fig = sizeSweepChart({
  title: "Pipe throughput",
  metric: "throughput",
  series: [{ name: "pipe", points: [{ sizeBytes: 64, value: 100 }] }],
});

const location: PlotlyLocation = {
  absolutePath: "/home/ada/ipc-course/node_modules/plotly.js-dist-min/plotly.min.js",
  fromNotebookDir: "../node_modules/plotly.js-dist-min/plotly.min.js",
  homeDir: "/home/ada",
};

function htmlOf(bundle: DisplayBundle): string {
  const html = bundle.data["text/html"];
  if (typeof html !== "string") throw new Error("bundle has no text/html string");
  return html;
}

describe("chartBundle", () => {
  it("carries the figure as a Plotly JSON object, with html and plain text", () => {
    const bundle = chartBundle(fig, "chart-1", location);
    expect(Object.keys(bundle.data).sort()).toEqual(
      [PLOTLY_MIME, "text/html", "text/plain"].sort(),
    );
    expect(bundle.data[PLOTLY_MIME]).toEqual({ data: fig.data, layout: fig.layout });
    expect(bundle.data["text/plain"]).toMatch(/^Pipe throughput\n/);
    expect(bundle).toMatchObject({ metadata: {}, transient: {} });
  });

  it("always includes a layout, even for a figure without one", () => {
    const bundle = chartBundle({ data: [{ type: "bar", x: ["a"], y: [1] }] }, "c", location);
    expect(bundle.data[PLOTLY_MIME]).toEqual({
      data: [{ type: "bar", x: ["a"], y: [1] }],
      layout: {},
    });
  });

  it("loads plotly.js with a created script element instead of inlining or <script src>", () => {
    const html = htmlOf(chartBundle(fig, "chart-1", location));
    expect(html).not.toMatch(/<script[^>]*\ssrc=/);
    expect(html).toContain('document.createElement("script")');
    expect(html.length).toBeLessThan(20_000); // plotly.min.js alone is megabytes
    expect(html).toContain('<div id="chart-1"');
  });

  it("shows the text summary in the html for untrusted notebooks", () => {
    const html = htmlOf(chartBundle(fig, "chart-1", location));
    expect(html).toContain("<pre");
    expect(html).toContain("pipe: 64 B: 100");
  });

  it("cannot be broken out of by a title containing </script>", () => {
    const evil = barChart({
      title: "</script><b>x</b>",
      quantity: "q",
      unit: "u",
      categoryTitle: "c",
      bars: [{ label: "a", value: 1 }],
    });
    const html = htmlOf(chartBundle(evil, "c", location));
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(html).toContain("&lt;/script&gt;&lt;b&gt;");
  });

  it("rejects a div id that is not a plain identifier", () => {
    expect(() => chartBundle(fig, 'x" onload="alert(1)', location)).toThrow(/invalid div id/);
  });
});

// ---- the loader, run in a fake page ----------------------------------------------------------

interface FakeElement {
  id?: string;
  textContent?: string;
  innerHTML: string;
  style: Record<string, string>;
  children: FakeElement[];
  src?: string;
  onload?: () => void;
  onerror?: () => void;
  insertBefore(child: FakeElement): void;
}

function element(fields: Partial<FakeElement> = {}): FakeElement {
  const el: FakeElement = {
    innerHTML: "",
    style: {},
    children: [],
    insertBefore(child) {
      el.children.unshift(child);
    },
    ...fields,
  };
  return el;
}

interface FakePage {
  context: vm.Context;
  scripts: FakeElement[];
  divs: Map<string, FakeElement>;
  run(bundle: DisplayBundle): void;
}

/** A page of a Jupyter front end: page config, <body> attributes and URL path. */
function fakePage(front: {
  config?: Record<string, unknown>;
  body?: Record<string, string>;
  pathname: string;
}): FakePage {
  const scripts: FakeElement[] = [];
  const divs = new Map<string, FakeElement>();
  const configEl = front.config ? element({ textContent: JSON.stringify(front.config) }) : null;
  const document = {
    getElementById: (id: string) =>
      id === "jupyter-config-data" ? configEl : (divs.get(id) ?? null),
    body: { getAttribute: (name: string) => front.body?.[name] ?? null },
    head: { appendChild: (el: FakeElement) => scripts.push(el) },
    createElement: () => element(),
  };
  const context = vm.createContext({ document, location: { pathname: front.pathname } });
  context["window"] = context;
  return {
    context,
    scripts,
    divs,
    run(bundle) {
      const html = htmlOf(bundle);
      const id = /<div id="([^"]+)"/.exec(html)?.[1] ?? "";
      divs.set(id, element({ id, innerHTML: "<pre>summary</pre>" }));
      const script = /<script type="text\/javascript">([\s\S]*)<\/script>/.exec(html)?.[1] ?? "";
      vm.runInContext(script, context);
    },
  };
}

describe("the chart's loader script", () => {
  it.each([
    [
      "JupyterLab (serverRoot in page config)",
      {
        config: { baseUrl: "/", serverRoot: "/home/ada/ipc-course" },
        pathname: "/lab/tree/notebooks/02-pipes.ipynb",
      },
      "/files/node_modules/plotly.js-dist-min/plotly.min.js",
    ],
    [
      "JupyterLab with a server root written as ~",
      { config: { baseUrl: "/lab-base/", serverRoot: "~/ipc-course" }, pathname: "/lab-base/lab" },
      "/lab-base/files/node_modules/plotly.js-dist-min/plotly.min.js",
    ],
    [
      "classic Notebook 6 (data-notebook-path on body)",
      {
        body: { "data-notebook-path": "notebooks/02-pipes.ipynb", "data-base-url": "/" },
        pathname: "/notebooks/notebooks/02-pipes.ipynb",
      },
      "/files/node_modules/plotly.js-dist-min/plotly.min.js",
    ],
    [
      "Notebook 7 (notebook path only in the URL)",
      {
        config: { baseUrl: "/user/ada/" },
        pathname: "/user/ada/notebooks/notebooks/02%20pipes.ipynb",
      },
      "/user/ada/files/node_modules/plotly.js-dist-min/plotly.min.js",
    ],
  ])("finds plotly.js through the server's /files/ route in %s", (_name, front, url) => {
    const page = fakePage(front);
    page.run(chartBundle(fig, "c1", location));
    expect(page.scripts.map((s) => s.src)).toEqual([url]);
  });

  it("queues every chart until plotly.js has loaded, loading it only once", () => {
    const page = fakePage({
      config: { baseUrl: "/", serverRoot: "/home/ada/ipc-course" },
      pathname: "/lab",
    });
    page.run(chartBundle(fig, "c1", location));
    page.run(chartBundle(fig, "c2", location));
    expect(page.scripts).toHaveLength(1);
    const drawn: string[] = [];
    page.context["Plotly"] = {
      newPlot: (el: FakeElement, data: unknown, layout: unknown) => {
        expect(data).toEqual(fig.data);
        expect(layout).toEqual(fig.layout);
        drawn.push(el.id ?? "");
      },
    };
    page.scripts[0]?.onload?.();
    expect(drawn).toEqual(["c1", "c2"]);
    expect(page.divs.get("c1")?.innerHTML).toBe(""); // the text placeholder was removed
  });

  it("draws at once, without loading, when window.Plotly already exists", () => {
    const page = fakePage({ config: { baseUrl: "/" }, pathname: "/lab" });
    const drawn: string[] = [];
    page.context["Plotly"] = { newPlot: (el: FakeElement) => drawn.push(el.id ?? "") };
    page.run(chartBundle(fig, "c3", location));
    expect(drawn).toEqual(["c3"]);
    expect(page.scripts).toHaveLength(0);
  });

  it("explains in the chart's place when plotly.js lies outside the server root", () => {
    const page = fakePage({
      body: { "data-notebook-path": "02-pipes.ipynb", "data-base-url": "/" },
      pathname: "/notebooks/02-pipes.ipynb",
    });
    page.run(chartBundle(fig, "c4", location));
    expect(page.scripts).toHaveLength(0);
    expect(page.divs.get("c4")?.children[0]?.textContent).toMatch(
      /outside the Jupyter server's folder/,
    );
  });

  it("explains in the chart's place when plotly.js fails to load", () => {
    const page = fakePage({
      config: { baseUrl: "/", serverRoot: "/home/ada/ipc-course" },
      pathname: "/lab",
    });
    page.run(chartBundle(fig, "c5", location));
    page.scripts[0]?.onerror?.();
    expect(page.divs.get("c5")?.children[0]?.textContent).toMatch(
      /could not load \/files\/node_modules/,
    );
  });
});

describe("tableBundle", () => {
  const rows = [
    { size: "64 B", "MB/s": 118.234, writes: 20000 },
    { size: "4 KiB", "MB/s": 1630.5, writes: 512 },
  ];

  it("aligns text columns, numbers to the right", () => {
    expect(tableBundle(rows).data["text/plain"]).toBe(
      ["size    MB/s  writes", "64 B     118   20000", "4 KiB  1,631     512"].join("\n"),
    );
  });

  it("renders an escaped HTML table with the chosen columns", () => {
    const html = String(
      tableBundle([{ a: "<x>", b: 1 }], { columns: ["b", "a"], caption: "c&d" }).data["text/html"],
    );
    expect(html).toContain("<caption>c&amp;d</caption>");
    expect(html).toContain('<th style="text-align:right">b</th><th>a</th>');
    expect(html).toContain("<td>&lt;x&gt;</td>");
  });
});

describe("finding tslab", () => {
  const dist = "/x/node_modules/tslab/dist";
  const mod = (exports: unknown) => ({ exports }) as NodeModule;

  it("finds nothing outside a kernel", () => {
    expect(findTslabDisplay({ "/x/node_modules/other/index.js": mod({}) })).toEqual({});
  });

  it("takes the current cell's writer from jupyter.js beside tslab's public module", () => {
    const written: unknown[] = [];
    const found = findTslabDisplay({
      [`${dist}/public.js`]: mod({ display: { html: () => {} } }),
      [`${dist}/jupyter.js`]: mod({ lastWriteDisplayData: (b: unknown) => written.push(b) }),
    });
    found.write?.({ data: { "text/plain": "x" }, metadata: {}, transient: {} }, false);
    expect(written).toEqual([{ data: { "text/plain": "x" }, metadata: {}, transient: {} }]);
  });

  it("prefers the tslab copy that is executing a cell over an idle one", () => {
    const found = findTslabDisplay({
      "/global/tslab/dist/jupyter.js": mod({ lastWriteDisplayData: null }),
      [`${dist}/jupyter.js`]: mod({ lastWriteDisplayData: () => {} }),
    });
    expect(found.write).toBeDefined();
  });

  it("falls back to tslab's display.html when the writer is not set", () => {
    const shown: string[] = [];
    const found = findTslabDisplay({
      [`${dist}/public.js`]: mod({ display: { html: (s: string) => shown.push(s) } }),
      [`${dist}/jupyter.js`]: mod({ lastWriteDisplayData: null }),
    });
    expect(found.write).toBeUndefined();
    found.html?.("<b>hi</b>");
    expect(shown).toEqual(["<b>hi</b>"]);
  });
});

describe("show functions outside a kernel", () => {
  let log: jest.SpyInstance;
  beforeEach(() => {
    log = jest.spyOn(console, "log").mockImplementation(() => {});
  });
  afterEach(() => log.mockRestore());

  it("showChart prints the text summary", () => {
    showChart(fig);
    expect(log).toHaveBeenCalledWith(
      expect.stringMatching(/^Pipe throughput\n.*\n {2}pipe: 64 B: 100$/),
    );
  });

  it("showTable prints aligned text", () => {
    showTable([{ a: 1 }]);
    expect(log).toHaveBeenCalledWith("a\n1");
  });
});
