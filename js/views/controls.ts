// Toolbar: every control is bound to a kernel trait. Controls that need the kernel are disabled
// in snapshots; the clusters slider stays live there when the snapshot holds that k.
import { select } from "d3-selection";
import { slotKey } from "../contract";
import type { Traits, WidgetModel } from "../model";
import type { MainPayload } from "../payloads";

const OFFLINE = "needs a running kernel; this snapshot holds only what was saved";

function commit<K extends keyof Traits>(model: WidgetModel, name: K, value: Traits[K]): void {
  model.set(name, value);
  model.save_changes();
}

interface Option {
  value: string;
  text: string;
  available: boolean; // live kernel, or precomputed in this snapshot
}

function selectControl(
  bar: ReturnType<typeof select<HTMLDivElement, unknown>>,
  label: string,
  className: string,
  options: Option[],
  current: string,
  onChange: (value: string) => void,
): void {
  const control = bar.append("label").text(`${label} `).append("select").attr("class", className);
  control
    .selectAll("option")
    .data(options)
    .join("option")
    .attr("value", (d) => d.value)
    .property("disabled", (d) => !d.available)
    .text((d) => (d.available ? d.text : `${d.text} (not saved)`));
  const enabled = options.filter((o) => o.available).length > 1;
  const missing = options.some((o) => !o.available);
  control.property("value", current).property("disabled", !enabled).attr("title", missing ? OFFLINE : "");
  control.on("change", (event: Event) => onChange((event.target as HTMLSelectElement).value));
}

export function renderControls(root: HTMLElement, model: WidgetModel, payload: MainPayload, availableKs: () => number[]): () => void {
  const bar = select(root).append("div").attr("class", "rv-toolbar") as unknown as ReturnType<typeof select<HTMLDivElement, unknown>>;
  bar.append("span").attr("class", "rv-title").text(payload.title);
  const live = payload.live;
  const saved = new Set(Object.keys(model.get("offline_views") ?? {}));
  const layer = model.get("layer");
  const state = model.get("state");
  const direction = model.get("direction");
  // Offline, a choice is available if its view was saved (or its h view, the kernel's fallback).
  const has = (l: unknown, s: unknown, d: unknown): boolean => live || saved.has(slotKey(l, s, d)) || saved.has(slotKey(l, "h", d));

  selectControl(
    bar,
    "layer",
    "rv-layer",
    payload.layers.map((text, i) => ({ value: String(i), text, available: has(i, state, direction) })),
    String(layer),
    (v) => commit(model, "layer", Number(v)),
  );
  selectControl(
    bar,
    "state",
    "rv-state",
    payload.states.map((s) => ({ value: s, text: s, available: live || saved.has(slotKey(layer, s, direction)) })),
    String(state),
    (v) => commit(model, "state", v),
  );
  if (payload.directions > 1) {
    selectControl(
      bar,
      "direction",
      "rv-direction",
      [
        { value: "0", text: "forward", available: has(layer, state, 0) },
        { value: "1", text: "backward", available: has(layer, state, 1) },
      ],
      String(direction),
      (v) => commit(model, "direction", Number(v)),
    );
  }

  // Offline only the saved choice of words exists; the label says which words are drawn.
  const words = payload.word_selection;
  selectControl(
    bar,
    "words",
    "rv-word-selection",
    [
      { value: "frequent", text: "most frequent", available: live || words === "frequent" },
      { value: "strongest", text: "strongest responses", available: live || words === "strongest" },
    ],
    words,
    (v) => commit(model, "word_selection", v),
  );
  bar.append("span").attr("class", "rv-words-label rv-hint").text(payload.words_label);

  const [kMin, kMax] = payload.k_range;
  const kLabel = bar.append("label").text("clusters ");
  const kInput = kLabel
    .append("input")
    .attr("class", "rv-clusters")
    .attr("type", "range")
    .attr("min", kMin)
    .attr("max", kMax)
    .attr("step", 1);
  const kValue = kLabel.append("span").attr("class", "rv-clusters-value");
  kInput.on("input", (event: Event) => kValue.text((event.target as HTMLInputElement).value));
  kInput.on("change", (event: Event) => commit(model, "n_clusters", Number((event.target as HTMLInputElement).value)));

  const filterLabel = bar.append("label").text("link filter ");
  const filter = filterLabel
    .append("input")
    .attr("class", "rv-link-filter")
    .attr("type", "range")
    .attr("min", 0)
    .attr("max", 1)
    .attr("step", 0.05)
    .attr("title", "hide links weaker than this fraction of the strongest");
  filter.on("input", (event: Event) => commit(model, "link_filter", Number((event.target as HTMLInputElement).value)));

  const clip = bar
    .append("label")
    .text("colour clip ")
    .append("input")
    .attr("class", "rv-color-clip")
    .attr("type", "number")
    .attr("min", 0)
    .attr("step", "any")
    .attr("title", "|response| at which colours saturate; 0 = automatic (98th percentile)");
  clip.on("change", (event: Event) => {
    const value = Number((event.target as HTMLInputElement).value);
    if (Number.isFinite(value) && value >= 0) commit(model, "color_clip", value);
  });

  const sync = (): void => {
    const k = model.get("n_clusters");
    kInput.property("value", String(k));
    kValue.text(String(k));
    const ks = availableKs();
    const canChange = live || ks.length > 1;
    kInput.property("disabled", !canChange).attr("title", canChange ? "number of co-clusters" : OFFLINE);
    filter.property("value", String(model.get("link_filter")));
    clip.property("value", String(model.get("color_clip")));
  };
  sync();
  const events = ["change:n_clusters", "change:link_filter", "change:color_clip", "change:clusterings"];
  for (const event of events) model.on(event, sync);
  return () => {
    for (const event of events) model.off(event, sync);
  };
}
