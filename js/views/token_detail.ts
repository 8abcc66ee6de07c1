// The word-detail panel for a pinned sentence token: this occurrence's response across units
// against the word's expected response (mean profile and quantile bands) — the paper's "is this
// use typical?". A token whose word is not among the shown words is drawn alone, and says so.
import { scaleLinear } from "d3-scale";
import { select } from "d3-selection";
import { QUANTILE_PERCENTS } from "../contract";
import { hasQuantiles, wordResponse, type MainData } from "../main_data";
import { typicality, visibleToken } from "../sentence_data";
import type { TokenFocus } from "../state";
import { appendNote, fmt, NO_QUANTILES, noQuantilesFor } from "./context";

const Q = QUANTILE_PERCENTS.length;
const WIDTH = 360;
const HEIGHT = 150;
const PAD = 24;

function bandPath(data: MainData, word: number, order: number[], column: [number, number], x: (i: number) => number, y: (v: number) => number): string {
  const q = data.quantiles?.data;
  if (!q || !hasQuantiles(data, word)) return "";
  const at = (u: number, j: number): number => q[(word * data.nUnits + u) * Q + j];
  const top = order.map((u, i) => `${x(i)},${y(at(u, column[1]))}`);
  const bottom = order.map((u, i) => `${x(i)},${y(at(u, column[0]))}`).reverse();
  return `M${top.join("L")}L${bottom.join("L")}Z`;
}

export function renderTokenDetail(panel: HTMLElement, data: MainData, token: TokenFocus): void {
  const word = data.words.indexOf(token.text);
  const label = visibleToken(token.text);
  const root = select(panel);
  root.append("div").attr("class", "rv-heading").text(`“${label}” in sentence ${token.sentence + 1}, token ${token.token + 1}`);
  panel.dataset.token = `${token.sentence}:${token.token}`;
  panel.dataset.words = word >= 0 ? data.words[word] : "";
  const occurrence = token.response;
  const mean = word >= 0 ? wordResponse(data, word) : null;
  const order = Array.from({ length: data.nUnits }, (_, u) => u).sort((a, b) => (mean ? mean[a] - mean[b] : occurrence[a] - occurrence[b]) || a - b);

  let lo = 0;
  let hi = 0;
  const extend = (v: number): void => {
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  };
  for (const u of order) {
    extend(occurrence[u]);
    if (mean) extend(mean[u]);
    if (word >= 0 && data.quantiles) {
      extend(data.quantiles.data[(word * data.nUnits + u) * Q]);
      extend(data.quantiles.data[(word * data.nUnits + u) * Q + Q - 1]);
    }
  }
  const x = scaleLinear().domain([0, Math.max(1, data.nUnits - 1)]).range([PAD, WIDTH - 6]);
  const y = scaleLinear().domain([lo, hi]).nice().range([HEIGHT - PAD, 6]);
  const svg = root.append("svg").attr("class", "rv-word-detail rv-token-detail").attr("width", WIDTH).attr("height", HEIGHT);
  svg.append("line").attr("class", "rv-zero").attr("x1", PAD).attr("x2", WIDTH - 6).attr("y1", y(0)).attr("y2", y(0));
  if (word >= 0 && mean) {
    const g = svg.append("g").attr("class", "rv-word-series").attr("data-word", data.words[word]);
    g.append("path").attr("class", "rv-band-outer").attr("fill", "currentColor").attr("d", bandPath(data, word, order, [0, Q - 1], x, y));
    g.append("path").attr("class", "rv-band-inner").attr("fill", "currentColor").attr("d", bandPath(data, word, order, [1, Q - 2], x, y));
    g.append("path").attr("class", "rv-mean-line").attr("stroke", "currentColor").attr("d", `M${order.map((u, r) => `${x(r)},${y(mean[u])}`).join("L")}`);
  }
  svg
    .append("path")
    .attr("class", "rv-occurrence")
    .attr("d", order.map((u, r) => `M${x(r) - 1.5},${y(occurrence[u])}h3`).join(""));

  const legend = root.append("div").attr("class", "rv-legend-words");
  const item = (cls: string, text: string): void => {
    const entry = legend.append("span").attr("class", "rv-legend-word");
    entry.append("span").attr("class", `rv-swatch ${cls}`);
    entry.append("span").text(text);
  };
  item("rv-swatch-occurrence", "this occurrence");
  if (mean) item("rv-swatch-mean", `expected response of “${label}”`);

  if (!mean) {
    appendNote(
      panel,
      `“${label}” is not among the ${data.nWords} words shown, so there is no expected response to compare with; this occurrence is drawn alone (raise n_words to include it)`,
      "word",
    );
    root.append("div").attr("class", "rv-hint").text("units sorted by this occurrence's response; click the token again to unpin");
    return;
  }
  const quantiles = hasQuantiles(data, word) ? data.quantiles?.data : undefined;
  const perUnit = (j: number): number[] => Array.from({ length: data.nUnits }, (_, u) => (quantiles ? quantiles[(word * data.nUnits + u) * Q + j] : NaN));
  const band = quantiles ? { low: perUnit(0), high: perUnit(Q - 1) } : null;
  const typical = typicality(occurrence, mean, band);
  const parts = [
    `correlation with the mean profile r = ${Number.isNaN(typical.correlation) ? "undefined (a flat profile)" : typical.correlation.toFixed(2)}`,
    `mean |response| ${fmt(typical.meanAbsOccurrence)} here vs ${fmt(typical.meanAbsExpected)} on average over ${data.counts.data[word]} occurrences`,
  ];
  if (typical.insideBand !== null) {
    parts.push(`${Math.round(100 * typical.insideBand)} % of units inside the ${QUANTILE_PERCENTS[0]}–${QUANTILE_PERCENTS[Q - 1]} % band`);
  }
  root.append("div").attr("class", "rv-typicality").text(parts.join(" · "));
  root.append("div").attr("class", "rv-hint").text(`units sorted by the expected response of “${label}”; click the token again to unpin`);
  if (!data.quantiles) appendNote(panel, `${NO_QUANTILES}; showing the mean only`, "quantiles");
  else if (!quantiles) appendNote(panel, noQuantilesFor(label), "quantiles");
}
