// One sentence as a heatmap: units in the main view's cluster order (rows) × tokens (columns),
// coloured by the state or by its response on the diverging scale. One canvas pixel per cell,
// scaled up without smoothing, so 600 units × 200 tokens stay one element.
import { pointer, select } from "d3-selection";
import { divergingRgb } from "../colors";
import { GAP, fitLabel, labelChars, tokenX, type TokenGeometry } from "../sentence_layout";
import { responseAt, stateAt, visibleToken, type SentenceData, type SlotStates } from "../sentence_data";

export type HeatmapValue = "value" | "delta";

export interface HeatmapRow {
  index: number;
  sentence: SentenceData;
  states: SlotStates;
  geometry: TokenGeometry;
  units: number[]; // unit of each canvas row, in cluster order
  spans: { cluster: number; start: number; end: number }[];
  value: HeatmapValue;
  clip: number;
}

export interface HeatmapEvents {
  hover(token: number, unit: number, value: number, event: MouseEvent): void;
  leave(): void;
  click(token: number): void;
}

/** CSS pixels per unit row: tall enough to hover one unit of a small model, at most ~200 px. */
export function unitRowHeight(nUnits: number): number {
  return Math.max(1, Math.min(6, 200 / Math.max(1, nUnits)));
}

export const LABEL_HEIGHT = 18;

/** The values a heatmap row shows for token t, by unit (a copy for Δ, a view for the state). */
export function heatValues(states: SlotStates, t: number, value: HeatmapValue): Float32Array {
  return value === "delta" ? responseAt(states, t) : stateAt(states, t);
}

export function drawHeatmapRow(track: HTMLElement, row: HeatmapRow, events: HeatmapEvents): void {
  const { sentence, states, geometry, units } = row;
  const last = Math.min(sentence.tokens.length, geometry.end);
  const shown = Math.max(0, last - geometry.start);
  const rowPx = unitRowHeight(units.length);
  const height = units.length * rowPx;
  track.replaceChildren();
  track.style.height = `${height + LABEL_HEIGHT}px`;
  track.style.width = `${2 * geometry.margin + shown * geometry.slot}px`;

  const canvas = document.createElement("canvas");
  canvas.className = "rv-heatmap";
  canvas.width = Math.max(1, shown);
  canvas.height = Math.max(1, units.length);
  Object.assign(canvas.style, {
    left: `${geometry.margin - GAP / 2}px`,
    width: `${shown * geometry.slot}px`,
    height: `${height}px`,
  });
  canvas.dataset.tokens = String(shown);
  canvas.dataset.units = String(units.length);
  const context = canvas.getContext("2d");
  if (context && shown > 0) {
    const image = context.createImageData(shown, units.length);
    for (let j = 0; j < shown; j++) {
      const values = heatValues(states, geometry.start + j, row.value);
      units.forEach((unit, r) => {
        const [red, green, blue] = divergingRgb(values[unit], row.clip);
        const at = 4 * (r * shown + j);
        image.data[at] = red;
        image.data[at + 1] = green;
        image.data[at + 2] = blue;
        image.data[at + 3] = 255;
      });
    }
    context.putImageData(image, 0, 0);
  }
  const cell = (event: MouseEvent): { token: number; unit: number; value: number } | null => {
    const [x, y] = pointer(event, canvas);
    const token = geometry.start + Math.floor(x / geometry.slot);
    const r = Math.floor(y / rowPx);
    if (token < geometry.start || token >= last || r < 0 || r >= units.length) return null;
    return { token, unit: units[r], value: heatValues(states, token, row.value)[units[r]] };
  };
  canvas.addEventListener("mousemove", (event) => {
    const hit = cell(event);
    if (hit) events.hover(hit.token, hit.unit, hit.value, event);
    else events.leave();
  });
  canvas.addEventListener("mouseleave", () => events.leave());
  canvas.addEventListener("click", (event) => {
    const hit = cell(event);
    if (hit) events.click(hit.token);
  });
  track.appendChild(canvas);

  // Cluster boundaries over the cells, and the token texts under them.
  const overlay = select(track)
    .append("svg")
    .attr("class", "rv-heatmap-overlay")
    .attr("width", 2 * geometry.margin + shown * geometry.slot)
    .attr("height", height + LABEL_HEIGHT);
  for (const span of row.spans.slice(1)) {
    overlay
      .append("line")
      .attr("class", "rv-cluster-rule")
      .attr("x1", geometry.margin - GAP / 2)
      .attr("x2", geometry.margin - GAP / 2 + shown * geometry.slot)
      .attr("y1", span.start * rowPx)
      .attr("y2", span.start * rowPx);
  }
  const chars = labelChars(geometry.slot);
  for (let t = geometry.start; t < last; t++) {
    const label = overlay
      .append("text")
      .attr("class", "rv-token-label")
      .classed("rv-unknown", sentence.unknown[t] === 1)
      .attr("data-token", t)
      .attr("x", tokenX(geometry, t) + geometry.glyph / 2)
      .attr("y", height + 13)
      .attr("text-anchor", "middle")
      .text(fitLabel(visibleToken(sentence.tokens[t]), chars));
    if (sentence.unknown[t] === 1) label.append("tspan").attr("class", "rv-unknown-mark").text("?");
  }
}
