// The sentence view (RNNVis's second view): a text box that runs the live model in the kernel,
// then one row per sentence, one glyph (or heatmap column) per token, following the main view's
// layer, state, direction and clustering. It reads states the kernel sent once per sentence and
// redraws from them on a change of k; hovering and pinning a token go through the store, where
// the chips, the links and the word detail of the main view pick them up.
import { select } from "d3-selection";
import { robustClip } from "../colors";
import { slotKey } from "../contract";
import { decodeClustering, type Clustering } from "../main_data";
import type { WidgetModel } from "../model";
import type { ClusteringPayload, SentencePayload } from "../payloads";
import { decodeSentence, MEMORY_KINDS, type SentenceData } from "../sentence_data";
import { sentenceStateCache } from "../sentence_states";
import type { AppState } from "../state";
import type { ViewContext } from "./context";
import { drawSentenceLegend } from "./sentence_axis";
import { drawSentenceRows, type RowsScene } from "./sentence_rows";

export type SentenceMode = "glyphs" | "heatmap-value" | "heatmap-delta";

/** What the sentence view keeps across redraws of the whole widget (a new layer redraws it all). */
export interface SentencePrefs {
  mode: SentenceMode;
  range: [number, number] | null;
  pinned: { sentence: number; token: number; source: string } | null;
  draft: string;
  scrollLeft: number;
  decoded: WeakMap<SentencePayload, SentenceData>;
}

export const sentencePrefs = (): SentencePrefs => ({ mode: "glyphs", range: null, pinned: null, draft: "", scrollLeft: 0, decoded: new WeakMap() });

export interface SentenceView {
  setClustering(clustering: Clustering | null): void;
  teardown(): void;
}

// Decoded once per payload, so the glyph cache (keyed by clustering) holds across redraws.
const decodedOthers = new WeakMap<ClusteringPayload, Clustering>();

const SNAPSHOT = "this is a saved snapshot: running a new sentence needs the live model in a kernel";

export function renderSentences(root: HTMLElement, ctx: ViewContext, model: WidgetModel, main: { live: boolean; layers: number; directions: number }, prefs: SentencePrefs): SentenceView {
  const { store, intents } = ctx;
  const rawLayer = Number(model.get("layer"));
  const layer = rawLayer < 0 ? rawLayer + main.layers : rawLayer;
  const state = String(model.get("state"));
  const direction = Number(model.get("direction"));
  const slot = {
    key: slotKey(layer, state, direction),
    kind: state,
    backward: direction === 1,
    memory: MEMORY_KINDS.has(state),
    // A bidirectional layer: the other direction, drawn as a second glyph row aligned per token.
    other: main.directions > 1 ? { key: slotKey(layer, state, 1 - direction), name: direction === 1 ? "forward" : "backward" } : null,
  };

  const panel = select(root).append("div").attr("class", "rv-panel rv-sentences").attr("data-slot", slot.key);
  const toolbar = panel.append("div").attr("class", "rv-sentence-toolbar");
  toolbar.append("span").attr("class", "rv-heading").text("Sentences");
  const mode = toolbar.append("label").text("draw ").append("select").attr("class", "rv-sentence-mode");
  const modes: [SentenceMode, string][] = [
    ["glyphs", "glyphs"],
    ["heatmap-value", `heatmap of ${state}`],
  ];
  if (slot.memory) modes.push(["heatmap-delta", `heatmap of Δ${state}`]);
  mode.selectAll("option").data(modes).join("option").attr("value", (m) => m[0]).text((m) => m[1]);
  if (!modes.some(([m]) => m === prefs.mode)) prefs.mode = "heatmap-value";
  mode.property("value", prefs.mode).on("change", (event: Event) => {
    prefs.mode = (event.target as HTMLSelectElement).value as SentenceMode;
    redraw();
  });
  const showAll = toolbar
    .append("button")
    .attr("class", "rv-zoom-reset")
    .text("show all tokens")
    .on("click", () => setRange(null));

  const inputRow = panel.append("div").attr("class", "rv-sentence-input");
  const input = inputRow.append("input").attr("type", "text").attr("class", "rv-sentence-text").attr("aria-label", "sentence to run through the model");
  const send = inputRow.append("button").attr("class", "rv-sentence-send").text("run ⏎");
  const reason = inputRow.append("span").attr("class", "rv-sentence-reason");
  const error = panel.append("div").attr("class", "rv-sentence-error").attr("role", "alert");
  const pending = panel.append("div").attr("class", "rv-sentence-pending");
  const legend = panel.append("div").attr("class", "rv-legend rv-sentence-legend");
  const overview = panel.append("div").attr("class", "rv-overview");
  const list = panel.append("div").attr("class", "rv-sentence-list");
  const inputNode = input.node() as HTMLInputElement;
  inputNode.value = prefs.draft;

  let items: SentenceData[] = [];
  let clustering: Clustering | null = null;
  let valueClip: number | null = null;
  let localError: string | null = null;
  let rowsTeardown: () => void = () => undefined;
  // The list's width, measured once and then kept by the ResizeObserver: reading clientWidth in
  // every redraw forces a layout of the whole widget, which on a k change has just rebuilt the
  // main view's chips and links (measured: most of the sentence redraw).
  let listWidth = 0;

  const submit = (): void => {
    const text = inputNode.value.trim();
    if (store.get().sentenceBlocked !== null) return;
    if (!text) {
      localError = "type a sentence first";
      syncStatus();
      return;
    }
    localError = null;
    inputNode.value = "";
    prefs.draft = "";
    intents.addSentence(text);
  };
  input
    .on("input", () => {
      prefs.draft = inputNode.value;
    })
    .on("keydown", (event: KeyboardEvent) => {
      // Keys typed here are the box's own, never the notebook's shortcuts.
      event.stopPropagation();
      if (event.key === "Enter" && !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });
  send.on("click", submit);

  const blockedReason = (): string | null => {
    const view = model.get("sentence_view");
    if (view && !view.live) return view.disabled_reason ?? "no live model to run sentences";
    if (!main.live) return SNAPSHOT;
    if (!view) return "the kernel has not sent the sentence view (is the widget's kernel running?)";
    return null;
  };

  function syncStatus(): void {
    const blocked = blockedReason();
    store.update({ sentenceBlocked: blocked });
    inputNode.disabled = blocked !== null;
    send.property("disabled", blocked !== null);
    const most = model.get("sentence_view")?.max_tokens;
    inputNode.placeholder = blocked
      ? "typing is disabled (see why beside the box)"
      : `type a sentence and press Enter to run the model on it${most ? ` (at most ${most} tokens)` : ""}`;
    inputNode.title = blocked ?? "Enter runs the model on the sentence in the kernel";
    reason.text(blocked ? `disabled: ${blocked}` : "");
    panel.attr("data-live", blocked === null ? "true" : "false");
    const message = localError ?? model.get("sentence_view")?.error ?? null;
    error.text(message ?? "").classed("rv-hidden", !message);
  }

  const stateCache = sentenceStateCache(model);

  function readItems(): void {
    const view = model.get("sentence_view");
    valueClip = null;
    try {
      const payloads = view?.items ?? [];
      stateCache.keepOnly(payloads.map((payload) => payload.id), main.live);
      items = payloads.map((payload) => {
        const known = prefs.decoded.get(payload);
        if (known) return known;
        const decoded = decodeSentence(payload, stateCache.get(payload.id));
        // A sentence still waiting for its states is decoded again when they come.
        if (!decoded.waiting) prefs.decoded.set(payload, decoded);
        return decoded;
      });
    } catch (problem) {
      items = [];
      localError = `the sentence view could not be read: ${(problem as Error).message}`;
    }
    const pin = prefs.pinned;
    if (pin && (items[pin.sentence]?.source !== pin.source || pin.token >= items[pin.sentence].tokens.length)) prefs.pinned = null;
  }

  function setRange(range: [number, number] | null): void {
    prefs.range = range;
    redraw();
  }

  const clipFor = (): number => {
    if (prefs.mode === "heatmap-delta") return store.get().colorClip;
    if (valueClip === null) {
      const values = items.flatMap((item) => {
        const states = item.slot(slot.key, slot);
        return states ? [states.values] : [];
      });
      const all = new Float32Array(values.reduce((n, v) => n + v.length, 0));
      let at = 0;
      for (const v of values) {
        all.set(v, at);
        at += v.length;
      }
      valueClip = robustClip(all);
    }
    return valueClip;
  };

  /** The other direction's clustering for the k on screen (kernel trait
   * `other_direction_clusterings`); null for one direction or until it arrives. */
  const otherClusteringFor = (k: number): Clustering | null => {
    const payload = slot.other ? (model.get("other_direction_clusterings") ?? {})[String(k)] : undefined;
    if (!payload) return null;
    let decoded = decodedOthers.get(payload);
    if (!decoded) decodedOthers.set(payload, (decoded = decodeClustering(payload, ctx.data)));
    return decoded;
  };

  function redraw(): void {
    const started = performance.now();
    panel.attr("data-count", items.length).attr("data-mode", prefs.mode).attr("data-range", prefs.range ? `${prefs.range[0]}-${prefs.range[1]}` : "all");
    showAll.classed("rv-hidden", !prefs.range);
    const listNode = list.node() as HTMLElement;
    const scene: RowsScene = {
      items,
      clustering,
      otherClustering: clustering ? otherClusteringFor(clustering.k) : null,
      slot,
      mode: prefs.mode,
      range: prefs.range,
      clip: prefs.mode === "glyphs" ? 0 : clipFor(),
      empty: !main.live
        ? "No sentences were added before this view was saved."
        : blockedReason() === null
          ? "No sentences yet: type one above and press Enter, or click a top context in the unit panel."
          : "No sentences yet.",
      width: listWidth || (listWidth = listNode.clientWidth || root.clientWidth || 800),
      prefs,
      model,
    };
    const heat = prefs.mode !== "glyphs";
    drawSentenceLegend(legend.node() as HTMLElement, heat ? "heatmap" : "glyphs", {
      state: state,
      backward: slot.backward,
      clip: scene.clip,
      what: prefs.mode === "heatmap-delta" ? `Δ${state}` : state,
      other: slot.other ? slot.other.name : null,
      bothRows: scene.otherClustering !== null,
    });
    legend.classed("rv-hidden", items.length === 0);
    rowsTeardown();
    rowsTeardown = drawSentenceRows(listNode, overview.node() as HTMLElement, scene, ctx, setRange);
    panel.attr("data-k", clustering ? clustering.k : null);
    // Read by benchmarks/sentence.py: how long this redraw took and when it ended.
    const ended = performance.now();
    panel.attr("data-redraw-ms", (ended - started).toFixed(2)).attr("data-drawn-at", ended.toFixed(2));
  }

  const onView = (): void => {
    const answered = store.get().pendingSentence;
    const failed = model.get("sentence_view")?.error;
    if (answered !== null && failed && !inputNode.value) {
      inputNode.value = answered;
      prefs.draft = answered;
    }
    localError = null;
    store.update({ pendingSentence: null, hoveredToken: null });
    readItems();
    syncStatus();
    redraw();
  };
  const onStore = (next: AppState, previous: AppState): void => {
    if (next.pendingSentence !== previous.pendingSentence) {
      pending.text(next.pendingSentence === null ? "" : `running the model on “${next.pendingSentence}”…`);
      pending.classed("rv-hidden", next.pendingSentence === null);
    }
    if (next.colorClip !== previous.colorClip && prefs.mode === "heatmap-delta") redraw();
  };
  const unsubscribe = store.subscribe(onStore);
  pending.classed("rv-hidden", true);
  readItems();
  syncStatus();
  redraw();

  let lastWidth = (list.node() as HTMLElement).clientWidth;
  const resize = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(() => {
    const width = (list.node() as HTMLElement).clientWidth;
    if (Math.abs(width - lastWidth) >= 1) {
      lastWidth = width;
      listWidth = width;
      redraw();
    }
  });
  resize?.observe(list.node() as HTMLElement);
  // States asked for after a reload: draw the rows that waited for them.
  const onStates = (): void => {
    if (!items.some((item) => item.waiting)) return;
    readItems();
    redraw();
  };
  model.on("change:sentence_view", onView);
  model.on("change:sentence_states", onStates);
  model.on("change:other_direction_clusterings", redraw);
  return {
    setClustering(next) {
      clustering = next;
      redraw();
    },
    teardown() {
      model.off("change:sentence_view", onView);
      model.off("change:sentence_states", onStates);
      model.off("change:other_direction_clusterings", redraw);
      unsubscribe();
      rowsTeardown();
      resize?.disconnect();
    },
  };
}
