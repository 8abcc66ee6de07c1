// The comparison view: two sides (chips, links, word clouds) mirrored so both cloud columns meet
// in the middle, matched clusters level and in one colour, the numbers in a header, and both
// word-detail panels below. One linked store holds what the sides share (hovered and pinned
// words by text, the hovered and focused cluster); each side's own store is its projection, so
// the single view's modules draw each side unchanged.
import { select } from "d3-selection";
import { robustClip } from "../colors";
import { alignSlots, clusterOnSide, decodeComparison, initialLinked, SIDES, toggleFocus, toggleWord, type ComparisonData, type LinkedState, type Side } from "../compare_data";
import { TRAIT_DEFAULTS } from "../contract";
import { decodeClustering, decodeMain, type Clustering, type MainData } from "../main_data";
import type { ComparisonModel } from "../model";
import type { MainPayload } from "../payloads";
import { initialState, type AppState } from "../state";
import { Store } from "../store";
import { renderChips } from "./chips";
import { renderCloudList } from "./cloud_list";
import { renderClouds } from "./clouds";
import { renderHeader } from "./compare_header";
import { renderCompareSentences } from "./compare_sentences";
import { GUTTER, gutterBands, renderGutter } from "./compare_gutter";
import type { Intents, ViewContext } from "./context";
import { computeLayout, type Layout } from "./layout";
import { renderLinks } from "./links";
import { makeTooltip } from "./main";
import { renderWordDetail } from "./word_detail";

const SVG_NS = "http://www.w3.org/2000/svg";
const LINKS_WIDTH = 56;
const MAX_CHIP_COLS = 14;
const OFFLINE = "needs a running kernel; this snapshot holds only what was saved";
const UNITS_TRAIT = ["left_selected_units", "right_selected_units"] as const;
const CLUSTERINGS_TRAIT = ["left_clusterings", "right_clusterings"] as const;

interface SideView {
  data: MainData;
  store: Store<AppState>;
  index: Map<string, number>;
  autoClip: number;
}

export function renderComparison(root: HTMLElement, model: ComparisonModel, views: [MainPayload, MainPayload]): () => void {
  const live = views[0].live && views[1].live;
  const linked = new Store<LinkedState>(initialLinked({ pinnedWords: model.get("selected_words") ?? [] }));
  const clipOf = (side: SideView): number => {
    const clip = model.get("color_clip") ?? TRAIT_DEFAULTS.color_clip;
    return clip > 0 ? clip : side.autoClip;
  };
  const sides = views.map((payload, side): SideView => {
    const data = decodeMain(payload);
    const index = new Map(data.words.map((word, i) => [word, i]));
    const view: SideView = { data, index, autoClip: robustClip(data.response.data), store: new Store<AppState>(initialState()) };
    view.store.update({
      pinnedWords: idsOf(view, linked.get().pinnedWords),
      selectedUnit: (model.get(UNITS_TRAIT[side]) ?? [])[0] ?? null,
      linkFilter: model.get("link_filter") ?? TRAIT_DEFAULTS.link_filter,
      colorClip: clipOf(view),
    });
    return view;
  }) as [SideView, SideView];
  let comparison: ComparisonData | null = null;

  const intentsOf = (side: Side): Intents => ({
    hoverWord: (word) => linked.update({ hoveredWord: word === null ? null : sides[side].data.words[word] }),
    togglePin(word) {
      const pinned = toggleWord(linked.get().pinnedWords, sides[side].data.words[word]);
      linked.update({ pinnedWords: pinned });
      model.set("selected_words", pinned);
      model.save_changes();
    },
    hoverUnit: (unit) => sides[side].store.update({ hoveredUnit: unit }),
    selectUnit(unit) {
      sides[side].store.update({ selectedUnit: unit });
      model.set(UNITS_TRAIT[side], unit === null ? [] : [unit]);
      model.save_changes();
    },
    hoverCluster: (cluster) => linked.update({ hoveredCluster: cluster === null ? null : { side, cluster } }),
    focusCluster: (cluster) => linked.update({ focusedCluster: toggleFocus(linked.get().focusedCluster, { side, cluster }) }),
    listCluster: (cluster) => sides[side].store.update({ listedCluster: cluster }),
    // A token of this side's sentence row lights this side's chips, as in the single view.
    hoverToken: (token) => sides[side].store.update({ hoveredToken: token }),
    pinToken: (token) => sides[side].store.update({ pinnedToken: token }),
    // The comparison's own text box adds sentences (compare_sentences.ts).
    addSentence: () => undefined,
    openContext: null,
  });

  // The projection: the linked state as each side's own store sees it.
  const project = (state: LinkedState, previous: LinkedState | null): void => {
    for (const side of SIDES) {
      const view = sides[side];
      const patch: Partial<AppState> = {};
      if (!previous || state.hoveredWord !== previous.hoveredWord) patch.hoveredWord = state.hoveredWord === null ? null : view.index.get(state.hoveredWord) ?? null;
      if (!previous || state.pinnedWords !== previous.pinnedWords) patch.pinnedWords = idsOf(view, state.pinnedWords);
      const partner = comparison?.partner;
      patch.hoveredCluster = partner ? clusterOnSide(state.hoveredCluster, side, partner) : null;
      patch.focusedCluster = partner ? clusterOnSide(state.focusedCluster, side, partner) : null;
      view.store.update(patch);
    }
  };
  const teardown: (() => void)[] = [linked.subscribe((state, previous) => project(state, previous))];

  const toolbar = select(root).append("div").attr("class", "rv-toolbar");
  const title = toolbar.append("span").attr("class", "rv-title").text("comparison");
  const kLow = Math.min(views[0].k_range[0], views[1].k_range[0]);
  const kHigh = Math.max(views[0].k_range[1], views[1].k_range[1]);
  const kLabel = toolbar.append("label").text("clusters ");
  const kInput = kLabel.append("input").attr("class", "rv-clusters").attr("type", "range").attr("min", kLow).attr("max", kHigh).attr("step", 1);
  const kValue = kLabel.append("span").attr("class", "rv-clusters-value");
  kInput.on("input", (event: Event) => kValue.text((event.target as HTMLInputElement).value));
  kInput.on("change", (event: Event) => {
    model.set("n_clusters", Number((event.target as HTMLInputElement).value));
    model.save_changes();
  });
  const filter = toolbar
    .append("label")
    .text("link filter ")
    .append("input")
    .attr("class", "rv-link-filter")
    .attr("type", "range")
    .attr("min", 0)
    .attr("max", 1)
    .attr("step", 0.05)
    .attr("title", "hide links weaker than this fraction of each side's strongest");
  filter.on("input", (event: Event) => {
    model.set("link_filter", Number((event.target as HTMLInputElement).value));
    model.save_changes();
  });

  const header = select(root).append("div").attr("class", "rv-compare-head").node() as HTMLElement;
  const titles = select(root).append("div").attr("class", "rv-compare-titles");
  const canvas = select(root).append("div").attr("class", "rv-canvas rv-compare-canvas");
  const status = canvas.append("div").attr("class", "rv-status");
  const svgNode = document.createElementNS(SVG_NS, "svg");
  svgNode.setAttribute("class", "rv-graph rv-compare-graph");
  canvas.node()?.appendChild(svgNode);
  const panels = select(root).append("div").attr("class", "rv-compare-panels");
  const tooltip = makeTooltip(root);
  // Each side is named by its comparison label (the views' own titles may be equal).
  const labelsNow = (): [string, string] => Object.values(model.get("comparisons") ?? {})[0]?.labels ?? [views[0].title, views[1].title];
  const listPanels: HTMLElement[] = [];
  const panelTitles = SIDES.map((side) => {
    const panel = panels.append("div").attr("class", "rv-panel rv-word-panel").attr("data-side", side);
    const heading = panel.append("div").attr("class", "rv-subheading").text(labelsNow()[side]);
    // A cloud's "+N more" lists its cluster's words here, above the side's word detail.
    listPanels.push(panel.append("div").attr("class", "rv-cloud-list").node() as HTMLElement);
    teardown.push(renderWordDetail(panel.append("div").node() as HTMLElement, { data: sides[side].data, store: sides[side].store, intents: intentsOf(side), tooltip }));
    return heading;
  });
  const sentences = renderCompareSentences(root, model, SIDES.map((side) => ({ data: sides[side].data, store: sides[side].store, intents: intentsOf(side), tooltip })) as [ViewContext, ViewContext], labelsNow, live);
  teardown.push(sentences.teardown);

  let clusterTeardown: (() => void)[] = [];
  const drawClusters = (): void => {
    const k = model.get("n_clusters");
    kInput.property("value", String(k));
    kValue.text(String(k));
    const saved = Object.keys(model.get("comparisons") ?? {});
    kInput.property("disabled", !live && saved.length < 2).attr("title", live || saved.length > 1 ? "number of co-clusters on each side" : OFFLINE);
    filter.property("value", String(model.get("link_filter")));
    const payload = (model.get("comparisons") ?? {})[String(k)];
    const clusterings = payload ? SIDES.map((side) => (model.get(CLUSTERINGS_TRAIT[side]) ?? {})[String(payload.k[side])]) : [];
    if (!payload || !clusterings[0] || !clusterings[1]) {
      status.text(live ? `re-clustering into ${k} clusters…` : `k = ${k} was not saved in this snapshot`);
      root.dataset.ready = "false";
      return;
    }
    for (const undo of clusterTeardown) undo();
    clusterTeardown = [];
    status.text("");
    root.dataset.ready = "false";
    comparison = decodeComparison(payload, [sides[0].data.nWords, sides[1].data.nWords]);
    const decoded = SIDES.map((side) => decodeClustering(clusterings[side], sides[side].data)) as [Clustering, Clustering];
    const layouts = layoutSides(decoded, sides, comparison, root.clientWidth || 1000);
    title.text(`${payload.labels[0]} vs ${payload.labels[1]}`);
    SIDES.forEach((side) => panelTitles[side].text(payload.labels[side]));
    header.replaceChildren();
    renderHeader(header, payload, comparison);
    drawTitles(titles, payload.labels, layouts.layouts);
    const svg = select(svgNode);
    svg.selectAll("*").remove();
    const [left, right] = layouts.layouts;
    svg.attr("width", left.width + GUTTER + right.width).attr("height", Math.max(left.height, right.height)).attr("data-clusters", decoded.map((c) => c.k).join(","));
    let waiting = 2;
    for (const side of SIDES) {
      const group = svg
        .append("g")
        .attr("class", "rv-compare-side")
        .attr("data-side", side)
        .attr("transform", `translate(${side === 0 ? 0 : left.width + GUTTER},0)`);
      const changed = comparison.changed[side].data;
      const ctx = { data: sides[side].data, store: sides[side].store, intents: intentsOf(side), tooltip, clustering: decoded[side], layout: layouts.layouts[side], wordMark: (word: number) => changed[word] === 1 };
      sides[side].store.update({ listedCluster: null });
      clusterTeardown.push(renderCloudList(listPanels[side], ctx));
      clusterTeardown.push(renderLinks(group.append("g").attr("class", "rv-links"), ctx));
      clusterTeardown.push(renderChips(group.append("g").attr("class", "rv-chips"), ctx));
      clusterTeardown.push(
        renderClouds(group.append("g").attr("class", "rv-clouds"), ctx, null, () => {
          waiting -= 1;
          if (waiting === 0) {
            root.dataset.ready = "true";
            root.dataset.paintedAt = String(performance.now());
          }
        }),
      );
    }
    const bands = gutterBands(layouts.slots, layouts.layouts, comparison);
    clusterTeardown.push(renderGutter(svg.append("g").attr("class", "rv-gutter"), bands, comparison, linked, tooltip, left.width));
    project(linked.get(), null);
    sentences.setClusterings(decoded);
  };
  // A kernel reply sets several traits in a row: draw once, after the last.
  let scheduled = false;
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      drawClusters();
    });
  };
  drawClusters();

  const onPins = (): void => linked.update({ pinnedWords: model.get("selected_words") ?? [] });
  const onFilter = (): void => {
    for (const side of sides) side.store.update({ linkFilter: model.get("link_filter") });
  };
  const onClip = (): void => {
    for (const side of sides) side.store.update({ colorClip: clipOf(side) });
  };
  const onUnits = (): void => {
    SIDES.forEach((side) => sides[side].store.update({ selectedUnit: (model.get(UNITS_TRAIT[side]) ?? [])[0] ?? null }));
  };
  const handlers: [string, () => void][] = [
    ["change:n_clusters", schedule],
    ["change:comparisons", schedule],
    ["change:left_clusterings", schedule],
    ["change:right_clusterings", schedule],
    ["change:selected_words", onPins],
    ["change:link_filter", onFilter],
    ["change:color_clip", onClip],
    ["change:left_selected_units", onUnits],
    ["change:right_selected_units", onUnits],
  ];
  for (const [event, handler] of handlers) model.on(event, handler);
  return () => {
    for (const [event, handler] of handlers) model.off(event, handler);
    for (const undo of [...clusterTeardown, ...teardown]) undo();
  };
}

function idsOf(view: SideView, words: string[]): number[] {
  return words.map((word) => view.index.get(word)).filter((id): id is number => id !== undefined);
}

/** Both sides' geometry: chips outside, clouds meeting in the middle (the right side mirrored),
 * cloud columns as wide as the width allows, and matched clusters in the same row slot. */
function layoutSides(clusterings: [Clustering, Clustering], sides: [SideView, SideView], comparison: ComparisonData, width: number): { layouts: [Layout, Layout]; slots: [(number | null)[], (number | null)[]] } {
  const options = (side: Side) => ({ mirror: side === 1, maxChipCols: MAX_CHIP_COLS });
  const natural = SIDES.map((side) => computeLayout(clusterings[side], sides[side].data.nUnits, 200, LINKS_WIDTH, options(side)));
  const chips = natural[0].chipsWidth + natural[1].chipsWidth;
  // 24 px: the root's padding and a vertical scrollbar.
  const cloudWidth = Math.max(150, Math.min(320, Math.floor((width - 24 - chips - 2 * LINKS_WIDTH - GUTTER) / 2)));
  const slots = alignSlots(clusterings[0].clusterOrder.data, clusterings[1].clusterOrder.data, comparison.partner[0]);
  const heightOf = (layout: Layout, cluster: number | null): number => (cluster === null ? 0 : layout.rows[layout.rowOfCluster.get(cluster) ?? 0].height);
  const slotHeights = slots[0].map((left, i) => Math.max(heightOf(natural[0], left), heightOf(natural[1], slots[1][i])));
  const layouts = SIDES.map((side) =>
    computeLayout(clusterings[side], sides[side].data.nUnits, cloudWidth, LINKS_WIDTH, { ...options(side), slots: slots[side], slotHeights }),
  ) as [Layout, Layout];
  return { layouts, slots };
}

function drawTitles(titles: ReturnType<typeof select<HTMLDivElement, unknown>>, labels: [string, string], layouts: [Layout, Layout]): void {
  titles.selectAll("*").remove();
  titles.style("width", `${layouts[0].width + GUTTER + layouts[1].width}px`);
  SIDES.forEach((side) => {
    titles
      .append("div")
      .attr("class", "rv-side-title")
      .attr("data-side", side)
      .style("width", `${layouts[side].width}px`)
      .style("margin-left", side === 1 ? `${GUTTER}px` : "0px")
      .text(labels[side]);
  });
}
