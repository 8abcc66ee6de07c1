// The main view: controls, legend, memory chips + links + word clouds, the detail panels, and
// the sentence view below them. Owns the store and turns intents into store updates and trait
// changes.
import { select } from "d3-selection";
import { robustClip } from "../colors";
import { TRAIT_DEFAULTS } from "../contract";
import { decodeClustering, decodeMain, type Clustering } from "../main_data";
import type { WidgetModel } from "../model";
import type { ClusteringPayload, MainPayload } from "../payloads";
import { initialState, togglePin, type AppState } from "../state";
import { Store } from "../store";
import { renderChips } from "./chips";
import { renderCloudList } from "./cloud_list";
import { renderClouds } from "./clouds";
import type { Intents, Tooltip } from "./context";
import { renderControls } from "./controls";
import { renderDownloads } from "./download";
import { fittedLayout, maxOf } from "./layout";
import { renderLegend } from "./legend";
import { renderLinks } from "./links";
import { renderSearch } from "./search";
import { renderSentences, sentencePrefs, type SentencePrefs } from "./sentence";
import { renderTokenLinks } from "./token_links";
import { renderUnitDetail } from "./unit_detail";
import { renderWordDetail } from "./word_detail";

const SVG_NS = "http://www.w3.org/2000/svg";

export function makeTooltip(root: HTMLElement): Tooltip {
  const tip = document.createElement("div");
  tip.className = "rv-tooltip";
  tip.style.display = "none";
  root.appendChild(tip);
  return {
    show(lines, event) {
      tip.replaceChildren(...lines.map((line) => Object.assign(document.createElement("div"), { textContent: line })));
      const box = root.getBoundingClientRect();
      tip.style.left = `${event.clientX - box.left + 14}px`;
      tip.style.top = `${event.clientY - box.top + 14}px`;
      tip.style.display = "block";
    },
    hide() {
      tip.style.display = "none";
    },
  };
}

/** `prefs`: what the sentence view keeps across full redraws (a layer change redraws it all). */
export function renderMain(root: HTMLElement, model: WidgetModel, payload: MainPayload, prefs: SentencePrefs = sentencePrefs()): () => void {
  const data = decodeMain(payload);
  const autoClip = robustClip(data.response.data);
  const clipOf = (): number => {
    const clip = model.get("color_clip") ?? TRAIT_DEFAULTS.color_clip;
    return clip > 0 ? clip : autoClip;
  };
  const wordIds = (texts: string[]): number[] => texts.map((t) => data.words.indexOf(t)).filter((i) => i >= 0);
  const store = new Store<AppState>(
    initialState({
      pinnedWords: wordIds(model.get("selected_words") ?? []),
      selectedUnit: (model.get("selected_units") ?? [])[0] ?? null,
      linkFilter: model.get("link_filter") ?? TRAIT_DEFAULTS.link_filter,
      colorClip: clipOf(),
    }),
  );
  const clusterings = (): Record<string, ClusteringPayload> => model.get("clusterings") ?? {};
  const availableKs = (): number[] => Object.keys(clusterings()).map(Number);
  let clustering: Clustering | null = null;

  const intents: Intents = {
    hoverWord: (word) => store.update({ hoveredWord: word }),
    togglePin(word) {
      const pinned = togglePin(store.get().pinnedWords, word);
      store.update({ pinnedWords: pinned });
      model.set("selected_words", pinned.map((w) => data.words[w]));
      model.save_changes();
    },
    hoverUnit: (unit) => store.update({ hoveredUnit: unit }),
    selectUnit(unit) {
      store.update({ selectedUnit: unit });
      model.set("selected_units", unit === null ? [] : [unit]);
      model.save_changes();
    },
    hoverCluster: (cluster) => store.update({ hoveredCluster: cluster }),
    focusCluster: (cluster) => store.update({ focusedCluster: store.get().focusedCluster === cluster ? null : cluster }),
    listCluster: (cluster) => store.update({ listedCluster: cluster }),
    hoverToken: (token) => store.update({ hoveredToken: token }),
    pinToken: (token) => store.update({ pinnedToken: token }),
    addSentence(text) {
      if (store.get().sentenceBlocked !== null) return;
      store.update({ pendingSentence: text });
      model.set("sentences", [...(model.get("sentences") ?? []), text]);
      model.save_changes();
    },
    openContext: model.get("has_corpus")
      ? (unit, sign, rank, label) => {
          if (store.get().sentenceBlocked !== null) return;
          store.update({ pendingSentence: label });
          const layer = model.get("layer") ?? TRAIT_DEFAULTS.layer;
          const state = model.get("state") ?? TRAIT_DEFAULTS.state;
          const direction = model.get("direction") ?? TRAIT_DEFAULTS.direction;
          model.set("open_context", { layer, state, direction, unit, sign, rank });
          model.save_changes();
        }
      : null,
  };

  const teardown: (() => void)[] = [];
  teardown.push(renderControls(root, model, payload, availableKs));
  teardown.push(renderLegend(root, data, store));
  const body = select(root).append("div").attr("class", "rv-main");
  const canvas = body.append("div").attr("class", "rv-canvas");
  const status = canvas.append("div").attr("class", "rv-status");
  const svgNode = document.createElementNS(SVG_NS, "svg");
  svgNode.setAttribute("class", "rv-graph");
  canvas.node()?.appendChild(svgNode);
  const side = body.append("div").attr("class", "rv-side");
  const listPanel = side.append("div").attr("class", "rv-panel rv-cloud-list").node() as HTMLElement;
  const wordPanel = side.append("div").attr("class", "rv-panel rv-word-panel").node() as HTMLElement;
  const unitPanel = side.append("div").attr("class", "rv-panel rv-unit-panel").node() as HTMLElement;
  const toolbar = root.querySelector(".rv-toolbar");
  if (toolbar) renderDownloads(toolbar as HTMLElement, () => svgNode, root);
  const tooltip = makeTooltip(root);
  const ctx = { data, store, intents, tooltip };
  if (toolbar) teardown.push(renderSearch(toolbar as HTMLElement, ctx, model, payload.live, () => clustering));
  teardown.push(renderWordDetail(wordPanel, ctx));
  teardown.push(renderUnitDetail(unitPanel, ctx, (unit) => (clustering ? clustering.unitCluster.data[unit] : -1)));
  const sentences = renderSentences(root, ctx, model, { live: payload.live, layers: payload.layers.length, directions: payload.directions }, prefs);
  teardown.push(sentences.teardown);

  let clusterTeardown: (() => void)[] = [];
  // The widget's inner width (its padding is 6 px a side); 1000 before it is laid out.
  const availableWidth = (): number => (root.clientWidth ? root.clientWidth - 12 : 1000);
  const drawClusters = (): void => {
    const k = model.get("n_clusters");
    const next = clusterings()[String(k)];
    if (!next) {
      status.text(payload.live ? `re-clustering into ${k} clusters…` : `k = ${k} was not saved in this snapshot`);
      root.dataset.ready = "false";
      sentences.setClustering(null);
      return;
    }
    for (const undo of clusterTeardown) undo();
    clusterTeardown = [];
    clustering = decodeClustering(next, data);
    // Cluster numbers belong to one clustering: a list opened under another k is closed.
    store.update({ clusteringK: clustering.k, listedCluster: null, strongestLink: maxOf(clustering.edgeStrength.data) });
    const layout = fittedLayout(clustering, data.nUnits, availableWidth());
    const svg = select(svgNode);
    svg.selectAll("*").remove();
    svg.attr("width", layout.width).attr("height", layout.height).attr("data-clusters", clustering.k);
    status.text("");
    root.dataset.ready = "false";
    const clusterCtx = { ...ctx, clustering, layout };
    clusterTeardown.push(renderCloudList(listPanel, clusterCtx));
    clusterTeardown.push(renderLinks(svg.append("g").attr("class", "rv-links"), clusterCtx));
    clusterTeardown.push(renderChips(svg.append("g").attr("class", "rv-chips"), clusterCtx));
    clusterTeardown.push(renderTokenLinks(svg.append("g").attr("class", "rv-token-links"), clusterCtx));
    clusterTeardown.push(
      // Clouds are laid out as they come near the viewport (null: whatever scrolls the page).
      renderClouds(svg.append("g").attr("class", "rv-clouds"), clusterCtx, null, () => {
        root.dataset.ready = "true";
        root.dataset.paintedAt = String(performance.now());
      }),
    );
    sentences.setClustering(clustering);
  };
  drawClusters();
  // A new width may need another fit of the picture (a narrower cloud column, fewer chips a row).
  let drawnWidth = availableWidth();
  const resize =
    typeof ResizeObserver === "undefined"
      ? null
      : new ResizeObserver(() => {
          const width = availableWidth();
          if (Math.abs(width - drawnWidth) < 24) return;
          drawnWidth = width;
          drawClusters();
        });
  resize?.observe(root);
  teardown.push(() => resize?.disconnect());

  const onSelectedWords = (): void => store.update({ pinnedWords: wordIds(model.get("selected_words") ?? []) });
  const onSelectedUnits = (): void => store.update({ selectedUnit: (model.get("selected_units") ?? [])[0] ?? null });
  const onFilter = (): void => store.update({ linkFilter: model.get("link_filter") });
  const onClip = (): void => store.update({ colorClip: clipOf() });
  const handlers: [string, () => void][] = [
    ["change:clusterings", drawClusters],
    ["change:n_clusters", drawClusters],
    ["change:selected_words", onSelectedWords],
    ["change:selected_units", onSelectedUnits],
    ["change:link_filter", onFilter],
    ["change:color_clip", onClip],
  ];
  for (const [event, handler] of handlers) model.on(event, handler);
  return () => {
    for (const [event, handler] of handlers) model.off(event, handler);
    for (const undo of [...clusterTeardown, ...teardown]) undo();
  };
}
