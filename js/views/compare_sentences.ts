// The comparison's sentence view: one text box; each sentence runs through both sides' live
// models in the kernel and is drawn as two rows of glyphs, the left side's (its clustering,
// order and colours) above, the right side's below, each labelled. Each side's rows are drawn by
// the single view's sentence_rows.ts into that side's own list, over that side's store, so a
// hovered token lights that side's chips as in the single view; the two lists are interleaved
// by CSS order (the lists are `display: contents`), which keeps each one's DOM queries its own.
import { select } from "d3-selection";
import { slotKey } from "../contract";
import type { Clustering } from "../main_data";
import type { ComparisonModel, WidgetModel } from "../model";
import type { SentencePayload, SentenceViewPayload } from "../payloads";
import { decodeSentence, MEMORY_KINDS, type SentenceData } from "../sentence_data";
import { sentenceStateCache } from "../sentence_states";
import { SIDES, type Side } from "../compare_data";
import type { ViewContext } from "./context";
import { sentencePrefs, type SentencePrefs } from "./sentence";
import { drawSentenceRows, type RowsScene } from "./sentence_rows";

const VIEW_TRAIT = ["left_sentence_view", "right_sentence_view"] as const;
const SNAPSHOT = "this is a saved snapshot: running a new sentence needs the live models in a kernel";

export interface CompareSentences {
  setClusterings(clusterings: [Clustering, Clustering] | null): void;
  teardown(): void;
}

export function renderCompareSentences(root: HTMLElement, model: ComparisonModel, contexts: [ViewContext, ViewContext], labels: () => [string, string], live: boolean): CompareSentences {
  const panel = select(root).append("div").attr("class", "rv-panel rv-sentences rv-compare-sentences");
  const toolbar = panel.append("div").attr("class", "rv-sentence-toolbar");
  toolbar.append("span").attr("class", "rv-heading").text("Sentences");
  toolbar.append("span").attr("class", "rv-hint").text("one row of glyphs per side: each side's clusters, order and colours");
  const inputRow = panel.append("div").attr("class", "rv-sentence-input");
  const input = inputRow.append("input").attr("type", "text").attr("class", "rv-sentence-text").attr("aria-label", "sentence to run through both models");
  const send = inputRow.append("button").attr("class", "rv-sentence-send").text("run ⏎");
  const reason = inputRow.append("span").attr("class", "rv-sentence-reason");
  const error = panel.append("div").attr("class", "rv-sentence-error").attr("role", "alert");
  const pending = panel.append("div").attr("class", "rv-sentence-pending rv-hidden");
  const rows = panel.append("div").attr("class", "rv-compare-sentence-rows").style("display", "flex").style("flex-direction", "column");
  const empty = rows.append("div").attr("class", "rv-hint rv-sentence-empty");
  const lists = SIDES.map((side) => rows.append("div").attr("class", "rv-sentence-list").attr("data-side", side).style("display", "contents").node() as HTMLElement);
  const overview = document.createElement("div"); // the brush is the single view's; not drawn here
  const inputNode = input.node() as HTMLInputElement;
  const prefs: [SentencePrefs, SentencePrefs] = [sentencePrefs(), sentencePrefs()];
  // The rows' remove button sets `sentences`, a trait the comparison widget has too.
  const rowsModel = model as unknown as WidgetModel;
  let clusterings: [Clustering, Clustering] | null = null;
  let localError: string | null = null;
  let waitingFor: string | null = null;
  let rowsTeardown: (() => void)[] = [];

  const blockedReason = (): string | null => {
    if (!live) return SNAPSHOT;
    const names = labels();
    for (const side of SIDES) {
      const view = model.get(VIEW_TRAIT[side]);
      if (!view) return "the kernel has not sent the sentence view (is the widget's kernel running?)";
      if (!view.live) return `${names[side]}: ${view.disabled_reason ?? "no live model to run sentences"}`;
    }
    return null;
  };

  const submit = (): void => {
    if (blockedReason() !== null) return;
    const text = inputNode.value.trim();
    if (!text) {
      localError = "type a sentence first";
      syncStatus();
      return;
    }
    localError = null;
    inputNode.value = "";
    waitingFor = text;
    pending.text(`running both models on “${text}”…`).classed("rv-hidden", false);
    model.set("sentences", [...(model.get("sentences") ?? []), text]);
    model.save_changes();
  };
  input.on("keydown", (event: KeyboardEvent) => {
    event.stopPropagation(); // the box's keys, never the notebook's shortcuts
    if (event.key === "Enter" && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  send.on("click", submit);

  function syncStatus(): void {
    const blocked = blockedReason();
    inputNode.disabled = blocked !== null;
    send.property("disabled", blocked !== null);
    inputNode.placeholder = blocked ? "typing is disabled (see why beside the box)" : "type a sentence and press Enter to run both models on it";
    inputNode.title = blocked ?? "Enter runs both models on the sentence in the kernel";
    reason.text(blocked ? `disabled: ${blocked}` : "");
    panel.attr("data-live", blocked === null ? "true" : "false");
    const message = localError ?? model.get("left_sentence_view")?.error ?? model.get("right_sentence_view")?.error ?? null;
    error.text(message ?? "").classed("rv-hidden", !message);
  }

  const decoded = new WeakMap<SentencePayload, SentenceData>();
  const stateCache = sentenceStateCache(model);
  const itemsOf = (view: SentenceViewPayload | null): SentenceData[] =>
    (view?.items ?? []).map((payload) => {
      let data = decoded.get(payload);
      if (data) return data;
      data = decodeSentence(payload, stateCache.get(payload.id));
      // A sentence still waiting for its states is decoded again when they come.
      if (!data.waiting) decoded.set(payload, data);
      return data;
    });

  const slotOf = (side: Side): RowsScene["slot"] | null => {
    const slot = (model.get("sentence_slots") ?? [])[side];
    if (!slot) return null;
    const backward = slot.direction === 1;
    const other = slot.directions > 1 ? { key: slotKey(slot.layer, slot.state, 1 - slot.direction), name: backward ? "forward" : "backward" } : null;
    return { key: slotKey(slot.layer, slot.state, slot.direction), kind: slot.state, backward, memory: MEMORY_KINDS.has(slot.state), other };
  };

  function redraw(): void {
    for (const undo of rowsTeardown) undo();
    rowsTeardown = [];
    const names = labels();
    const listed = SIDES.flatMap((side) => (model.get(VIEW_TRAIT[side])?.items ?? []).map((payload) => payload.id));
    stateCache.keepOnly(listed, live);
    const items = SIDES.map((side) => {
      try {
        return itemsOf(model.get(VIEW_TRAIT[side]));
      } catch (problem) {
        localError = `the sentence view could not be read: ${(problem as Error).message}`;
        return [];
      }
    });
    const count = Math.max(items[0].length, items[1].length);
    panel.attr("data-count", count);
    empty
      .classed("rv-hidden", count > 0)
      .text(!live ? "No sentences were added before this comparison was saved." : "No sentences yet: type one above and press Enter to see it through both models.");
    const width = (rows.node() as HTMLElement).clientWidth || root.clientWidth || 800;
    for (const side of SIDES) {
      const list = lists[side];
      const slot = slotOf(side);
      if (!clusterings || !slot || items[side].length === 0) {
        list.replaceChildren();
        continue;
      }
      const scene: RowsScene = { items: items[side], clustering: clusterings[side], otherClustering: null, slot, mode: "glyphs", range: null, clip: 0, empty: "", width, prefs: prefs[side], model: rowsModel };
      rowsTeardown.push(drawSentenceRows(list, overview, scene, contexts[side], () => undefined));
      list.querySelectorAll<HTMLElement>(":scope > .rv-sentence").forEach((row) => {
        const index = Number(row.dataset.index);
        row.style.order = String(2 * index + side);
        row.dataset.side = String(side);
        row.classList.add("rv-compare-sentence");
        const head = row.querySelector(".rv-sentence-head");
        const tag = document.createElement("span");
        tag.className = "rv-sentence-side-label";
        tag.dataset.side = String(side);
        tag.textContent = names[side];
        head?.prepend(tag);
        if (side === 1) {
          // The sentence is named once, on the left row above; the right row says only whose it is.
          head?.querySelector(".rv-sentence-source")?.classList.add("rv-hidden");
          head?.querySelector(".rv-sentence-remove")?.classList.add("rv-hidden");
        }
      });
    }
  }

  const onView = (): void => {
    const failed = model.get("left_sentence_view")?.error ?? model.get("right_sentence_view")?.error;
    if (waitingFor !== null && failed && !inputNode.value) inputNode.value = waitingFor;
    waitingFor = null;
    localError = null;
    pending.classed("rv-hidden", true);
    syncStatus();
    redraw();
  };
  const events = ["change:left_sentence_view", "change:right_sentence_view", "change:sentence_slots"];
  for (const event of events) model.on(event, onView);
  // States asked for after a reload: draw the rows that waited for them.
  const onStates = (): void => {
    const waiting = SIDES.some((side) => (model.get(VIEW_TRAIT[side])?.items ?? []).some((payload) => !decoded.has(payload)));
    if (waiting) redraw();
  };
  model.on("change:sentence_states", onStates);
  syncStatus();
  redraw();
  return {
    setClusterings(next) {
      clusterings = next;
      redraw();
    },
    teardown() {
      for (const event of events) model.off(event, onView);
      model.off("change:sentence_states", onStates);
      for (const undo of rowsTeardown) undo();
    },
  };
}
