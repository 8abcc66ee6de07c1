// Unit detail: box plots of the unit's 4 most positive and 4 most negative words
// (whiskers 9–91 %, box 25–75 %, median line, mean dot) and its top-activating contexts, which a
// click adds to the sentence view.
// Either part may be missing from an analysis; the panel then says how to get it.
import { scaleLinear } from "d3-scale";
import { select } from "d3-selection";
import { divergingColor } from "../colors";
import { QUANTILE_PERCENTS } from "../contract";
import { quantilesOf, type MainData } from "../main_data";
import { visibleToken } from "../sentence_data";
import type { AppState } from "../state";
import { appendNote, fmt, NO_CONTEXTS, NO_QUANTILES, type Intents, type ViewContext } from "./context";

const PER_SIGN = 4;
const MIN_COUNT = 3;
const WIDTH = 360;
const ROW = 18;
const LABEL = 90;
/** A context's tooltip when the kernel has no corpus. */
export const CONTEXT_WINDOW_ONLY = "adds this context window; pass corpus= to rv.RNNVis to open the whole sequence";

/** Words with the largest and smallest mean response of `unit`; frequent words preferred. */
export function extremeWords(data: MainData, unit: number, perSign = PER_SIGN): { positive: number[]; negative: number[] } {
  const words = Array.from({ length: data.nWords }, (_, w) => w);
  const frequent = words.filter((w) => data.counts.data[w] >= MIN_COUNT);
  const pool = frequent.length >= 2 * perSign ? frequent : words;
  const value = (w: number): number => data.response.data[w * data.nUnits + unit];
  const sorted = [...pool].sort((a, b) => value(b) - value(a) || a - b);
  return {
    positive: sorted.slice(0, perSign).filter((w) => value(w) > 0),
    negative: sorted.slice(-perSign).reverse().filter((w) => value(w) < 0),
  };
}

function renderBoxPlots(panel: HTMLElement, data: MainData, unit: number, clip: number): void {
  const { positive, negative } = extremeWords(data, unit);
  const words = [...positive, ...negative];
  const stats = words.map((w) => ({ word: w, mean: data.response.data[w * data.nUnits + unit], q: quantilesOf(data, w, unit) }));
  const values = stats.flatMap((s) => [s.mean, ...(s.q ?? [])]).concat([0]);
  const x = scaleLinear()
    .domain([Math.min(...values), Math.max(...values)])
    .nice()
    .range([LABEL, WIDTH - 20]);
  const svg = select(panel)
    .append("svg")
    .attr("class", "rv-boxplots")
    .attr("width", WIDTH)
    .attr("height", words.length * ROW + 24);
  svg
    .append("line")
    .attr("class", "rv-zero")
    .attr("x1", x(0))
    .attr("x2", x(0))
    .attr("y1", 0)
    .attr("y2", words.length * ROW);
  const rows = svg
    .selectAll("g.rv-box")
    .data(stats)
    .join("g")
    .attr("class", "rv-box")
    .attr("data-word", (s) => data.words[s.word])
    .attr("transform", (_s, i) => `translate(0,${i * ROW})`);
  rows
    .append("text")
    .attr("class", "rv-box-label")
    .attr("x", LABEL - 6)
    .attr("y", ROW / 2 + 4)
    .attr("text-anchor", "end")
    .text((s) => visibleToken(data.words[s.word]));
  rows
    .filter((s) => s.q !== null)
    .each(function (s) {
      // Whiskers: the outermost quantiles; box: the next ones in; line: the middle one.
      const q = s.q as number[];
      const last = q.length - 1;
      const [whiskerLow, boxLow, median, boxHigh, whiskerHigh] = [q[0], q[1], q[Math.floor(last / 2)], q[last - 1], q[last]];
      const g = select(this);
      const colour = divergingColor(s.mean, clip);
      g.append("line").attr("class", "rv-whisker").attr("x1", x(whiskerLow)).attr("x2", x(whiskerHigh)).attr("y1", ROW / 2).attr("y2", ROW / 2);
      g.append("rect")
        .attr("class", "rv-iqr")
        .attr("x", x(boxLow))
        .attr("width", Math.max(1, x(boxHigh) - x(boxLow)))
        .attr("y", 3)
        .attr("height", ROW - 6)
        .attr("fill", colour);
      g.append("line").attr("class", "rv-median").attr("x1", x(median)).attr("x2", x(median)).attr("y1", 2).attr("y2", ROW - 2);
    });
  rows.append("circle").attr("class", "rv-mean").attr("cx", (s) => x(s.mean)).attr("cy", ROW / 2).attr("r", 2.5);
  rows
    .append("title")
    .text((s) => {
      const q = s.q ? ` · ${QUANTILE_PERCENTS.join("/")} %: ${s.q.map(fmt).join(" / ")}` : "";
      return `${visibleToken(data.words[s.word])}: mean ${fmt(s.mean)} over ${data.counts.data[s.word]} occurrences${q}`;
    });
  const axis = svg.append("g").attr("transform", `translate(0,${words.length * ROW + 14})`);
  const label = x.tickFormat(4);
  for (const tick of x.ticks(4)) {
    axis.append("text").attr("class", "rv-tick").attr("x", x(tick)).attr("text-anchor", "middle").text(label(tick));
  }
}

/** Clicking a context opens its whole sequence as a sentence when the kernel has the corpus
 * (the kernel maps the context to its corpus position, then to the sequence); without one it adds
 * the context's window, whose texts are sent joined by spaces. `blocked` says why no sentence can
 * be added (no live model, a snapshot). */
/** A sign's strongest update below this share of the other sign's is called negligible. */
const NEGLIGIBLE = 0.01;

function renderContexts(panel: HTMLElement, data: MainData, unit: number, intents: Intents, blocked: string | null): void {
  const contexts = data.contexts;
  if (!contexts) {
    appendNote(panel, NO_CONTEXTS, "contexts");
    return;
  }
  const span = 2 * contexts.window + 1;
  const strongest = (sign: number): number => {
    let most = 0;
    for (let i = 0; i < contexts.perSign; i++) {
      const value = contexts.value.data[(unit * 2 + sign) * contexts.perSign + i];
      if (Number.isFinite(value)) most = Math.max(most, Math.abs(value));
    }
    return most;
  };
  for (const [sign, heading] of [
    [0, "strongest positive updates"],
    [1, "strongest negative updates"],
  ] as const) {
    const list = select(panel).append("div").attr("class", "rv-contexts").attr("data-sign", sign ? "-" : "+");
    list.append("div").attr("class", "rv-subheading").text(heading);
    const mine = strongest(sign);
    const other = strongest(1 - sign);
    if (mine > 0 && mine < NEGLIGIBLE * other) {
      list
        .append("div")
        .attr("class", "rv-hint rv-negligible")
        .text(`negligible: the strongest is ${fmt(sign ? -mine : mine)}, under ${100 * NEGLIGIBLE} % of the other sign's ${fmt(other)}`);
    }
    // The same window with the same value, listed again and again, says nothing new: once, ×n.
    const seen = new Map<string, { count: number; mark: (n: number) => void }>();
    for (let i = 0; i < contexts.perSign; i++) {
      const slot = (unit * 2 + sign) * contexts.perSign + i;
      const value = contexts.value.data[slot];
      if (!Number.isFinite(value)) continue;
      const ids = Array.from(contexts.ids.data.subarray(slot * span, (slot + 1) * span));
      const key = `${fmt(value)}|${ids.join(",")}`;
      const repeat = seen.get(key);
      if (repeat) {
        repeat.count += 1;
        repeat.mark(repeat.count);
        continue;
      }
      const line = list.append("div").attr("class", "rv-context");
      line.append("span").attr("class", "rv-context-value").text(fmt(value));
      const texts: string[] = [];
      for (let j = 0; j < span; j++) {
        const id = ids[j];
        if (id < 0) continue;
        texts.push(contexts.tokens[id]);
        line
          .append("span")
          .attr("class", j === contexts.window ? "rv-context-centre" : "rv-context-token")
          .text(visibleToken(contexts.tokens[id]));
      }
      const times = line.append("span").attr("class", "rv-context-repeat rv-hint");
      seen.set(key, { count: 1, mark: (n) => times.text(` ×${n}`).attr("data-count", n) });
      if (blocked === null) {
        const { openContext } = intents;
        const open =
          openContext === null ? () => intents.addSentence(texts.join(" ")) : () => openContext(unit, sign, i, `the sequence of “${texts.join(" ")}”`);
        line
          .classed("rv-context-add", true)
          .attr("role", "button")
          .attr("tabindex", 0)
          .attr("title", openContext === null ? CONTEXT_WINDOW_ONLY : "opens this context's whole sequence in the sentence view")
          .on("click", open)
          .on("keydown", (event: KeyboardEvent) => {
            if (event.key === "Enter") open();
          });
      } else {
        line.attr("title", `cannot add it as a sentence: ${blocked}`);
      }
    }
  }
}

export function renderUnitDetail(panel: HTMLElement, ctx: ViewContext, unitCluster: (unit: number) => number): () => void {
  const { data, store } = ctx;
  const draw = (state: AppState, previous?: AppState): void => {
    if (
      previous &&
      previous.selectedUnit === state.selectedUnit &&
      previous.colorClip === state.colorClip &&
      previous.clusteringK === state.clusteringK &&
      previous.sentenceBlocked === state.sentenceBlocked
    ) {
      return;
    }
    panel.replaceChildren();
    const unit = state.selectedUnit;
    const heading = select(panel).append("div").attr("class", "rv-heading");
    if (unit === null) {
      heading.text("Unit detail");
      select(panel).append("div").attr("class", "rv-hint").text("Click a memory chip to see the words it responds to most.");
      panel.dataset.unit = "";
      return;
    }
    panel.dataset.unit = String(unit);
    // The cluster is that of the clustering on screen; none is named before one has arrived.
    const cluster = unitCluster(unit);
    const where = cluster >= 0 ? ` · cluster ${cluster}` : "";
    heading.text(`Unit ${unit}${where} · ${data.restingLabel} ${fmt(data.resting.data[unit])}`);
    if (!data.quantiles) appendNote(panel, `${NO_QUANTILES}; showing means only`, "quantiles");
    renderBoxPlots(panel, data, unit, state.colorClip);
    renderContexts(panel, data, unit, ctx.intents, state.sentenceBlocked);
  };
  draw(store.get());
  return store.subscribe(draw);
}
