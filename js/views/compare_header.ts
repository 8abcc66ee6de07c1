// The comparison's header: the sentence stating the difference, what was compared (and what
// could not be matched), the numbers of each side with their definitions as tooltips, and small
// histograms of per-unit sparsity and saturation, both sides on shared axes.
import { scaleLinear } from "d3-scale";
import { select } from "d3-selection";
import { HISTOGRAMS, type ComparisonData, type HistogramName } from "../compare_data";
import type { ComparisonPayload } from "../payloads";

/** Side colours (Okabe–Ito blue and vermilion): the histograms' bars and the titles' marks. */
export const SIDE_COLORS = ["#0072B2", "#D55E00"] as const;

const NUMBERS: [string, string, "percent" | "plain"][] = [
  ["update_sparsity", "update sparsity", "percent"],
  ["unsaturated_sparsity", "saturation-aware sparsity", "percent"],
  ["unsaturated_steps", "unsaturated steps", "percent"],
  ["saturation", "saturation", "percent"],
  ["mean_abs_delta", "mean |Δ| per token", "plain"],
  ["cloud_coherence", "cloud coherence", "plain"],
  ["unit_cluster_cv", "unit-cluster size CV", "plain"],
];

const HISTOGRAM_TITLES: Record<HistogramName, string> = {
  sparsity: "per-unit update sparsity",
  unsaturated_sparsity: "saturation-aware sparsity",
  saturation: "per-unit saturation",
};

function formatNumber(value: number | null, kind: "percent" | "plain"): string {
  if (value === null || !Number.isFinite(value)) return "n/a";
  return kind === "percent" ? `${(100 * value).toFixed(1)} %` : value.toFixed(3);
}

/** Notes that qualify the comparison: shared words only, clusters left unmatched. */
export function comparisonNotes(payload: ComparisonPayload, data: ComparisonData): string[] {
  const notes: string[] = [];
  if (payload.on === "shared") notes.push(`clusters compared on the ${payload.n_compared.toLocaleString("en")} words both vocabularies have`);
  const [kl, kr] = data.k;
  const matched = data.pairLeft.shape[0];
  if (kl !== kr) notes.push(`k differs (${kl} vs ${kr}): ${matched} pairs matched, ${kl + kr - 2 * matched} clusters without a partner (grey)`);
  else if (matched < kl) notes.push(`${kl - matched} clusters per side share no word with any cluster across (grey)`);
  return notes;
}

export function renderHeader(root: HTMLElement, payload: ComparisonPayload, data: ComparisonData): void {
  const header = select(root).append("div").attr("class", "rv-compare-header");
  header.append("div").attr("class", "rv-statement").text(payload.statement);
  for (const note of comparisonNotes(payload, data)) header.append("div").attr("class", "rv-hint rv-compare-note").text(note);
  const row = header.append("div").attr("class", "rv-compare-figures");

  const table = row.append("table").attr("class", "rv-numbers");
  const head = table.append("thead").append("tr");
  head.append("th").text("");
  payload.labels.forEach((label, side) => {
    const th = head.append("th").attr("data-side", side);
    th.append("span").attr("class", "rv-swatch").style("background", SIDE_COLORS[side]);
    th.append("span").text(` ${label}`);
  });
  const body = table.append("tbody");
  for (const [name, title, kind] of NUMBERS) {
    const values = payload.numbers[name];
    if (!values) continue;
    const tr = body.append("tr").attr("data-number", name).attr("title", payload.definitions[name] ?? "");
    tr.append("th").attr("class", "rv-number-name").text(title);
    values.forEach((value, side) => tr.append("td").attr("data-side", side).text(formatNumber(value, kind)));
  }

  const charts = row.append("div").attr("class", "rv-histograms");
  for (const name of HISTOGRAMS) drawHistogram(charts.append("div").attr("class", "rv-histogram").attr("data-histogram", name).node() as HTMLElement, data, name);
}

const WIDTH = 170;
const HEIGHT = 64;
const PAD = { left: 4, right: 4, top: 14, bottom: 14 };

/** Both sides' bars side by side in each bin; x over [0, 1], y shared by both sides. */
function drawHistogram(box: HTMLElement, data: ComparisonData, name: HistogramName): void {
  const counts = data.histograms[name];
  const bins = counts.shape[1];
  const totals = [0, 1].map((side) => {
    let sum = 0;
    for (let b = 0; b < bins; b++) sum += counts.data[side * bins + b];
    return sum;
  });
  // Shares of each side's units, so a 20-unit side and a 600-unit side compare.
  const share = (side: number, b: number): number => (totals[side] > 0 ? counts.data[side * bins + b] / totals[side] : 0);
  let most = 0;
  for (const side of [0, 1]) for (let b = 0; b < bins; b++) most = Math.max(most, share(side, b));
  const x = scaleLinear().domain([0, 1]).range([PAD.left, WIDTH - PAD.right]);
  const y = scaleLinear().domain([0, most || 1]).range([HEIGHT - PAD.bottom, PAD.top]);
  const svg = select(box).append("svg").attr("width", WIDTH).attr("height", HEIGHT);
  svg.append("text").attr("class", "rv-tick").attr("x", PAD.left).attr("y", 10).text(HISTOGRAM_TITLES[name]);
  const edges = data.edges.data;
  for (const side of [0, 1]) {
    for (let b = 0; b < bins; b++) {
      const x0 = x(edges[b]);
      const half = (x(edges[b + 1]) - x0) / 2;
      const value = share(side, b);
      svg
        .append("rect")
        .attr("class", "rv-histogram-bar")
        .attr("data-side", side)
        .attr("x", x0 + side * half)
        .attr("width", Math.max(0.5, half - 0.5))
        .attr("y", y(value))
        .attr("height", y(0) - y(value))
        .attr("fill", SIDE_COLORS[side])
        .append("title")
        .text(`${(100 * edges[b]).toFixed(0)}–${(100 * edges[b + 1]).toFixed(0)} %: ${counts.data[side * bins + b]} units`);
    }
  }
  svg.append("line").attr("class", "rv-zero").attr("x1", PAD.left).attr("x2", WIDTH - PAD.right).attr("y1", y(0)).attr("y2", y(0));
  for (const tick of [0, 0.5, 1]) {
    svg.append("text").attr("class", "rv-tick").attr("x", x(tick)).attr("y", HEIGHT - 2).attr("text-anchor", tick === 0 ? "start" : tick === 1 ? "end" : "middle").text(String(tick));
  }
}
