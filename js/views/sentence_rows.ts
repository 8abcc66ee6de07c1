// The rows of the sentence view: per sentence a head (its text, the prediction, a remove button)
// and a body (fixed axis + horizontally scrolling glyphs or heatmap), the overview brush above
// them, and the wiring of hover and click to the store.
import { select } from "d3-selection";
import type { Clustering } from "../main_data";
import type { WidgetModel } from "../model";
import { tokenGeometry } from "../sentence_layout";
import {
  computeGlyph,
  glyphExtent,
  meanAbsResponse,
  responseAt,
  strongestLink,
  unitsInClusterOrder,
  visibleToken,
  type Glyph,
  type SentenceData,
  type SlotStates,
} from "../sentence_data";
import type { AppState, TokenFocus } from "../state";
import { fmt, type ViewContext } from "./context";
import { AXIS_WIDTH, drawGlyphAxis, drawHeatmapAxis } from "./sentence_axis";
import { drawOverview } from "./sentence_brush";
import { drawGlyphRow } from "./sentence_glyphs";
import { drawHeatmapRow } from "./sentence_heatmap";
import { glyphTooltip, predictedClass, predictionLines } from "./sentence_text";
import type { SentenceMode, SentencePrefs } from "./sentence";

export interface RowsScene {
  items: SentenceData[];
  clustering: Clustering | null;
  /** A bidirectional layer: the other direction's clustering for the same k, drawn as a second
   * glyph row aligned per token; without it (the comparison view) a strip of its mean update. */
  otherClustering: Clustering | null;
  slot: { key: string; kind: string; backward: boolean; memory: boolean; other: { key: string; name: string } | null };
  mode: SentenceMode;
  range: [number, number] | null;
  clip: number;
  empty: string; // what to say when there is no sentence
  width: number;
  prefs: SentencePrefs;
  model: WidgetModel;
}

// Glyphs per sentence and clustering: a k change computes them once, a hover never.
const glyphCache = new WeakMap<SentenceData, WeakMap<Clustering, Glyph>>();

function glyphOf(sentence: SentenceData, states: SlotStates, clustering: Clustering): Glyph {
  let byClustering = glyphCache.get(sentence);
  if (!byClustering) glyphCache.set(sentence, (byClustering = new WeakMap()));
  let glyph = byClustering.get(clustering);
  if (!glyph) byClustering.set(clustering, (glyph = computeGlyph(states, clustering.unitCluster.data, clustering.k)));
  return glyph;
}

const isToken = (focus: TokenFocus | null, sentence: number, token: number): boolean => focus !== null && focus.sentence === sentence && focus.token === token;

function hint(host: HTMLElement, text: string): void {
  select(host).append("div").attr("class", "rv-hint rv-sentence-empty").text(text);
}

/** Draws every row; returns the teardown of its store subscription. */
export function drawSentenceRows(list: HTMLElement, overview: HTMLElement, scene: RowsScene, ctx: ViewContext, setRange: (range: [number, number] | null) => void): () => void {
  const { store, intents, tooltip } = ctx;
  const { items, clustering, slot, prefs, model } = scene;
  list.replaceChildren();
  overview.replaceChildren();
  // The glyph under the pointer is gone; its numbers (the link scale) may have changed too.
  if (store.get().hoveredToken) intents.hoverToken(null);
  if (items.length === 0) {
    hint(list, scene.empty);
    return () => undefined;
  }
  if (!clustering) {
    hint(list, "waiting for the clustering of this view…");
    return () => undefined;
  }
  const rows = items.map((sentence, index) => {
    const states = sentence.slot(slot.key, slot);
    return { index, sentence, states, glyph: states ? glyphOf(sentence, states, clustering) : null };
  });
  const glyphs = rows.flatMap((row) => (row.glyph ? [row.glyph] : []));
  const otherStates = rows.map(({ sentence }) => (slot.other ? sentence.slot(slot.other.key, { backward: !slot.backward, kind: slot.kind }) : null));
  const otherClustering = scene.otherClustering && scene.otherClustering.k === clustering.k ? scene.otherClustering : null;
  const otherGlyphs = otherStates.map((states, index) => (states && otherClustering ? glyphOf(items[index], states, otherClustering) : null));
  const others = otherClustering ? [] : otherStates.map((states) => (states ? meanAbsResponse(states) : null));
  const otherMax = Math.max(0, ...others.map((values) => (values ? Math.max(...values) : 0)));
  // One y-scale for both directions' rows.
  const extent = glyphExtent([...glyphs, ...otherGlyphs.flatMap((g) => (g ? [g] : []))]);
  const strongest = strongestLink(glyphs);
  const longest = Math.max(...items.map((item) => item.tokens.length));
  const visible = Math.max(120, scene.width - AXIS_WIDTH - 4);
  const geometry = tokenGeometry(clustering.k, longest, scene.range, visible);
  const columns = Array.from(clustering.clusterOrder.data);
  const order = unitsInClusterOrder(clustering.unitCluster.data, clustering.unitOrder.data, clustering.clusterOrder.data);
  drawOverview(overview, glyphs, longest, scene.range, visible, setRange);

  const focusOf = (index: number, t: number, cluster: number | null): TokenFocus | null => {
    const states = rows[index]?.states;
    if (!states) return null;
    return { sentence: index, token: t, text: items[index].tokens[t], response: responseAt(states, t), strongest, cluster };
  };
  const hover = (index: number, t: number, cluster: number): void => {
    const current = store.get().hoveredToken;
    if (current && isToken(current, index, t)) {
      if (current.cluster !== cluster) intents.hoverToken({ ...current, cluster });
    } else {
      intents.hoverToken(focusOf(index, t, cluster));
    }
  };
  const leave = (): void => {
    intents.hoverToken(null);
    tooltip.hide();
  };
  const click = (index: number, t: number): void => {
    if (isToken(store.get().pinnedToken, index, t)) {
      prefs.pinned = null;
      intents.pinToken(null);
    } else {
      prefs.pinned = { sentence: index, token: t, source: items[index].source };
      intents.pinToken(focusOf(index, t, null));
    }
  };

  const scrollers: HTMLElement[] = [];
  for (const { index, sentence, states, glyph } of rows) {
    const otherValues = others[index] ?? null;
    const other = slot.other && otherValues ? { name: slot.other.name, values: otherValues, max: otherMax } : null;
    const row = select(list).append("div").attr("class", "rv-sentence").attr("data-index", index).attr("data-source", sentence.source);
    const head = row.append("div").attr("class", "rv-sentence-head");
    head.append("span").attr("class", "rv-sentence-source").text(visibleToken(sentence.source).replace(/␣/g, " "));
    const unknown = sentence.unknown.reduce((n, u) => n + u, 0);
    head
      .append("span")
      .attr("class", "rv-sentence-meta")
      .text(`${sentence.tokens.length} tokens${unknown ? ` · ${unknown} not in the vocabulary (marked ?)` : ""}`);
    const predicted = predictedClass(sentence.prediction);
    if (predicted) {
      head.append("span").attr("class", "rv-prediction").attr("title", predicted.all).text(`→ ${predicted.label} ${(100 * predicted.probability).toFixed(0)} %`);
    } else if (sentence.prediction?.kind === "next_tokens") {
      head.append("span").attr("class", "rv-prediction rv-hint").text("next-token guesses in each token's tooltip");
    }
    head
      .append("button")
      .attr("class", "rv-sentence-remove")
      .attr("title", "remove this sentence")
      .attr("aria-label", `remove sentence ${index + 1}`)
      .text("×")
      .on("click", () => {
        const pin = prefs.pinned;
        if (pin && pin.sentence > index) pin.sentence -= 1;
        model.set("sentences", (model.get("sentences") ?? []).filter((_, j) => j !== index));
        model.save_changes();
      });
    const body = row.append("div").attr("class", "rv-sentence-body");
    const axes = body.append("div").attr("class", "rv-sentence-axes");
    const scroller = body.append("div").attr("class", "rv-sentence-scroll");
    scrollers.push(scroller.node() as HTMLElement);
    if (!states || !glyph) {
      hint(
        scroller.node() as HTMLElement,
        sentence.waiting ? "receiving this sentence's states from the kernel…" : `no ${slot.kind} states of this layer were recorded for this sentence`,
      );
      continue;
    }
    const otherGlyph = otherGlyphs[index];
    if (scene.mode === "glyphs" && slot.other && otherClustering && otherGlyph) {
      // Both directions, forward above backward, on the same token x positions.
      const shown = { name: slot.other.name === "backward" ? "forward" : "backward", glyph, columns, backward: slot.backward, onScreen: true };
      const second = { name: slot.other.name, glyph: otherGlyph, columns: Array.from(otherClustering.clusterOrder.data), backward: !slot.backward, onScreen: false };
      for (const lane of slot.backward ? [second, shown] : [shown, second]) {
        drawGlyphAxis(axes.append("svg"), extent, null, lane.name);
        const svg = scroller.append("svg").attr("class", "rv-sentence-glyphs").attr("data-direction", lane.name).attr("data-shown", String(lane.onScreen));
        drawGlyphRow(svg, { index, sentence, glyph: lane.glyph, geometry, extent, columns: lane.columns, backward: lane.backward, other: null }, lane.onScreen ? {
          hover(t, column, event) {
            const cluster = columns[column];
            hover(index, t, cluster);
            tooltip.show([...glyphTooltip(sentence, index, glyph, t, cluster, slot.kind, slot.backward, slot.memory), ...predictionLines(sentence.prediction, t), "click to pin it and compare with the word's expected response"], event);
          },
          leave,
          click: (t) => click(index, t),
        } : {
          hover(t, column, event) {
            if (store.get().hoveredToken) intents.hoverToken(null);
            tooltip.show([
              `${lane.name} direction (the main view shows the ${shown.name} one)`,
              ...glyphTooltip(sentence, index, lane.glyph, t, lane.columns[column], slot.kind, lane.backward, slot.memory),
              `its clusters are the ${lane.name} direction's own for k = ${otherClustering.k}: the main view's chips show the ${shown.name} direction's clustering, so this row is not linked to them`,
            ], event);
          },
          leave,
          click: () => undefined,
        });
      }
    } else if (scene.mode === "glyphs") {
      drawGlyphAxis(axes.append("svg"), extent, other ? other.name : null, null);
      drawGlyphRow(scroller.append("svg").attr("class", "rv-sentence-glyphs"), { index, sentence, glyph, geometry, extent, columns, backward: slot.backward, other }, {
        hover(t, column, event) {
          const cluster = columns[column];
          hover(index, t, cluster);
          const otherLine = other ? [`${other.name} direction at this token: mean |${slot.memory ? "Δ" : ""}${slot.kind}| ${fmt(other.values[t])}`] : [];
          tooltip.show([...glyphTooltip(sentence, index, glyph, t, cluster, slot.kind, slot.backward, slot.memory), ...otherLine, ...predictionLines(sentence.prediction, t), "click to pin it and compare with the word's expected response"], event);
        },
        leave,
        click: (t) => click(index, t),
      });
    } else {
      drawHeatmapAxis(axes.append("svg"), order.spans, order.units.length);
      const track = scroller.append("div").attr("class", "rv-heatmap-track").node() as HTMLElement;
      const value = scene.mode === "heatmap-delta" ? "delta" : "value";
      drawHeatmapRow(track, { index, sentence, states, geometry, units: order.units, spans: order.spans, value, clip: scene.clip }, {
        hover(t, unit, v, event) {
          const cluster = clustering.unitCluster.data[unit];
          hover(index, t, cluster);
          const label = value === "delta" ? `Δ${slot.kind}` : slot.kind;
          tooltip.show([`unit ${unit} · cluster ${cluster}`, `“${visibleToken(sentence.tokens[t])}” · token ${t + 1} of ${sentence.tokens.length} · sentence ${index + 1}`, `${label} = ${fmt(v)}`, ...predictionLines(sentence.prediction, t)], event);
        },
        leave,
        click: (t) => click(index, t),
      });
    }
  }

  // Rows scroll together, so a token lines up with the same position in every sentence.
  for (const scroller of scrollers) {
    // Setting scrollLeft forces a layout: only when there is a position to restore.
    if (prefs.scrollLeft) scroller.scrollLeft = prefs.scrollLeft;
    scroller.addEventListener("scroll", () => {
      prefs.scrollLeft = scroller.scrollLeft;
      for (const other of scrollers) if (other !== scroller && other.scrollLeft !== scroller.scrollLeft) other.scrollLeft = scroller.scrollLeft;
    });
  }

  // A pin survives a redraw (new k, new layer) with the numbers of what is on screen now.
  const pin = prefs.pinned;
  store.update({ pinnedToken: pin ? focusOf(pin.sentence, pin.token, null) : null });

  const marked: Element[] = [];
  const highlight = (state: AppState, previous?: AppState): void => {
    if (previous && previous.hoveredToken === state.hoveredToken && previous.pinnedToken === state.pinnedToken && previous.hoveredWord === state.hoveredWord) return;
    for (const element of marked.splice(0)) element.classList.remove("rv-hovered", "rv-pinned", "rv-word-match");
    const mark = (index: number, t: number, className: string): void => {
      const row = list.querySelector(`.rv-sentence[data-index="${index}"]`);
      row?.querySelectorAll(`.rv-glyph[data-token="${t}"], .rv-token-label[data-token="${t}"]`).forEach((element) => {
        element.classList.add(className);
        marked.push(element);
      });
    };
    if (state.hoveredToken) mark(state.hoveredToken.sentence, state.hoveredToken.token, "rv-hovered");
    if (state.pinnedToken) mark(state.pinnedToken.sentence, state.pinnedToken.token, "rv-pinned");
    if (state.hoveredWord !== null) {
      const word = ctx.data.words[state.hoveredWord];
      items.forEach((item, index) => item.tokens.forEach((token, t) => token === word && mark(index, t, "rv-word-match")));
    }
  };
  highlight(store.get());
  return store.subscribe(highlight);
}
