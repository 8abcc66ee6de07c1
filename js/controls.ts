// Toolbar controls bound two-way to kernel traits (layer, state, n_words).
import { select } from "d3-selection";
import type { HeatmapPayload, WidgetModel } from "./model";

export function renderControls(root: HTMLElement, model: WidgetModel, payload: HeatmapPayload): void {
  const bar = select(root).append("div").attr("class", "rv-toolbar");
  bar.append("span").attr("class", "rv-title").text(payload.title);
  const disabled = !payload.live;
  const why = disabled ? "needs a running kernel; this snapshot shows what was saved" : "";

  const layer = bar.append("label").text("layer ").append("select").attr("class", "rv-layer");
  layer
    .selectAll("option")
    .data(payload.layers)
    .join("option")
    .attr("value", (_d, i) => String(i))
    .text((d) => d);
  layer.property("value", String(model.get("layer")));
  layer.property("disabled", disabled).attr("title", why);
  layer.on("change", (event: Event) => {
    model.set("layer", Number((event.target as HTMLSelectElement).value));
    model.save_changes();
  });

  const state = bar.append("label").text("state ").append("select").attr("class", "rv-state");
  state
    .selectAll("option")
    .data(payload.states)
    .join("option")
    .attr("value", (d) => d)
    .text((d) => d);
  state.property("value", String(model.get("state")));
  state.property("disabled", disabled).attr("title", why);
  state.on("change", (event: Event) => {
    model.set("state", (event.target as HTMLSelectElement).value);
    model.save_changes();
  });

  const words = bar
    .append("label")
    .text("words ")
    .append("input")
    .attr("class", "rv-n-words")
    .attr("type", "number")
    .attr("min", "1")
    .attr("max", "300");
  words.property("value", String(model.get("n_words")));
  words.property("disabled", disabled).attr("title", why);
  words.on("change", (event: Event) => {
    const value = Number((event.target as HTMLInputElement).value);
    if (Number.isInteger(value) && value >= 1) {
      model.set("n_words", value);
      model.save_changes();
    }
  });
}
