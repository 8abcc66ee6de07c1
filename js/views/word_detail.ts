// Word detail (RNNVis's info board): a word's mean response across all units, units sorted by
// the first word's response, with its 25–75 % and 9–91 % bands (means only when the analysis
// kept no quantiles); up to 3 pinned words overlaid. A token pinned in the sentence view takes
// the panel over (js/views/token_detail.ts).
import { scaleLinear, type ScaleLinear } from "d3-scale";
import { select } from "d3-selection";
import { QUANTILE_PERCENTS } from "../contract";
import { hasQuantiles, wordResponse, type MainData } from "../main_data";
import { PIN_COLORS, type AppState } from "../state";
import { appendNote, NO_QUANTILES, noQuantilesFor, type ViewContext } from "./context";
import { renderTokenDetail } from "./token_detail";

const Q = QUANTILE_PERCENTS.length;
const OUTER: [number, number] = [0, Q - 1];
const INNER: [number, number] = [1, Q - 2];
const percents = ([lo, hi]: [number, number]): string => `${QUANTILE_PERCENTS[lo]}–${QUANTILE_PERCENTS[hi]} %`;

const WIDTH = 360;
const HEIGHT = 150;
const PAD = 24;

function shownWords(state: AppState): number[] {
  if (state.pinnedWords.length) return state.pinnedWords;
  return state.hoveredWord === null ? [] : [state.hoveredWord];
}

/** Units ordered by increasing response to `word` (ties by unit index). */
export function unitRanking(data: MainData, word: number): number[] {
  const values = wordResponse(data, word);
  return Array.from({ length: data.nUnits }, (_, u) => u).sort((a, b) => values[a] - values[b] || a - b);
}

/** `scale` as plain arithmetic giving coordinates to 0.1 px. A hover draws paths through up to
 * 1,200 units; through the d3 scale and at full precision, building them and the browser parsing
 * them were most of a hover's script. */
function pixels(scale: ScaleLinear<number, number>): (v: number) => number {
  const [d0, d1] = scale.domain();
  const [r0, r1] = scale.range();
  if (d0 === d1) {
    const middle = Math.round(scale(d0) * 10) / 10;
    return () => middle;
  }
  const k = (r1 - r0) / (d1 - d0);
  return (v) => Math.round((r0 + (v - d0) * k) * 10) / 10;
}

/** `xs`: each rank's x coordinate, as text (every path of a draw shares them). */
function band(data: MainData, word: number, order: number[], [lo, hi]: [number, number], xs: string[], y: (v: number) => number): string {
  const q = data.quantiles?.data;
  if (!q || !hasQuantiles(data, word)) return "";
  const top = order.map((u, i) => `${xs[i]},${y(q[(word * data.nUnits + u) * Q + hi])}`);
  const bottom = order.map((u, i) => `${xs[i]},${y(q[(word * data.nUnits + u) * Q + lo])}`).reverse();
  return `M${top.join("L")}L${bottom.join("L")}Z`;
}

export function renderWordDetail(panel: HTMLElement, ctx: ViewContext): () => void {
  const { data, store } = ctx;
  const draw = (state: AppState, previous?: AppState): void => {
    if (
      previous &&
      previous.pinnedWords === state.pinnedWords &&
      previous.hoveredWord === state.hoveredWord &&
      previous.pinnedToken === state.pinnedToken
    ) {
      return;
    }
    panel.replaceChildren();
    delete panel.dataset.token;
    if (state.pinnedToken) {
      renderTokenDetail(panel, data, state.pinnedToken);
      return;
    }
    const words = shownWords(state);
    select(panel).append("div").attr("class", "rv-heading").text("Word detail");
    panel.dataset.words = words.map((w) => data.words[w]).join("\u0000");
    if (words.length === 0) {
      select(panel).append("div").attr("class", "rv-hint").text("Hover a word to see its response across all units; click to pin up to 3.");
      return;
    }
    const order = unitRanking(data, words[0]);
    let lo = 0;
    let hi = 0;
    for (const w of words) {
      for (const u of order) {
        const base = (w * data.nUnits + u) * Q;
        const values = data.quantiles && hasQuantiles(data, w)
          ? [data.quantiles.data[base + OUTER[0]], data.quantiles.data[base + OUTER[1]]]
          : [data.response.data[w * data.nUnits + u]];
        for (const v of values) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    const x = scaleLinear().domain([0, Math.max(1, data.nUnits - 1)]).range([PAD, WIDTH - 6]);
    const y = scaleLinear().domain([lo, hi]).nice().range([HEIGHT - PAD, 6]);
    const svg = select(panel).append("svg").attr("class", "rv-word-detail").attr("width", WIDTH).attr("height", HEIGHT);
    svg.append("line").attr("class", "rv-zero").attr("x1", PAD).attr("x2", WIDTH - 6).attr("y1", y(0)).attr("y2", y(0));
    const px = pixels(x);
    const xs = order.map((_, r) => String(px(r)));
    const py = pixels(y);
    words.forEach((w, i) => {
      const colour = state.pinnedWords.length ? PIN_COLORS[i] : "currentColor";
      const g = svg.append("g").attr("class", "rv-word-series").attr("data-word", data.words[w]);
      g.append("path").attr("class", "rv-band-outer").attr("fill", colour).attr("d", band(data, w, order, OUTER, xs, py));
      g.append("path").attr("class", "rv-band-inner").attr("fill", colour).attr("d", band(data, w, order, INNER, xs, py));
      const values = wordResponse(data, w);
      g.append("path")
        .attr("class", "rv-mean-line")
        .attr("stroke", colour)
        .attr("d", `M${order.map((u, r) => `${xs[r]},${py(values[u])}`).join("L")}`);
    });
    const legend = select(panel).append("div").attr("class", "rv-legend-words");
    words.forEach((w, i) => {
      const item = legend.append("span").attr("class", "rv-legend-word");
      item.append("span").attr("class", "rv-swatch").style("background", state.pinnedWords.length ? PIN_COLORS[i] : "currentColor");
      item.append("span").text(data.words[w]);
    });
    const bands = data.quantiles ? `; bands: ${percents(INNER)} and ${percents(OUTER)} of single updates` : "";
    select(panel)
      .append("div")
      .attr("class", "rv-hint")
      .text(`units sorted by the response to “${data.words[words[0]]}”${bands}`);
    if (!data.quantiles) appendNote(panel, `${NO_QUANTILES}; showing means only`, "quantiles");
    for (const w of words) if (data.quantiles && !hasQuantiles(data, w)) appendNote(panel, noQuantilesFor(data.words[w]), "quantiles");
  };
  draw(store.get());
  // A hover swaps the panel between a one-line hint and a chart. Were it to shrink back each
  // time, all below it would move and be repainted whole on every hover (in a comparison, most
  // of a hover's cost); it keeps the tallest height it has had.
  const keepHeight = new ResizeObserver(([entry]) => {
    const height = entry.contentRect.height;
    if (height > (parseFloat(panel.style.minHeight) || 0)) panel.style.minHeight = `${height}px`;
  });
  keepHeight.observe(panel);
  const unsubscribe = store.subscribe(draw);
  return () => {
    unsubscribe();
    keepHeight.disconnect();
  };
}
