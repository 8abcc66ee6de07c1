// The fixed left column of a sentence row (it does not scroll with the tokens): the glyphs'
// shared y-scale, or the heatmap's unit clusters; and the legend line above the rows.
import { scaleLinear } from "d3-scale";
import { select, type Selection } from "d3-selection";
import { divergingColor } from "../colors";
import { HALF_HEIGHT } from "../sentence_layout";
import { fmt } from "./context";
import { CENTRE, GLYPH_ROW_HEIGHT, KEPT_HEIGHT, KEPT_Y, LABEL_Y, OTHER_HEIGHT, glyphRowHeight } from "./sentence_glyphs";
import { LABEL_HEIGHT, unitRowHeight } from "./sentence_heatmap";

export const AXIS_WIDTH = 48;

type SvgSelection = Selection<SVGSVGElement, unknown, null, undefined>;

/** `other`: the name of a bidirectional layer's other direction, drawn as a strip under the
 * tokens; `direction`: the name of the direction this row draws, when both get a row. */
export function drawGlyphAxis(svg: SvgSelection, extent: number, other: string | null, direction: string | null): void {
  svg.attr("width", AXIS_WIDTH).attr("height", glyphRowHeight(other !== null)).attr("class", "rv-sentence-axis");
  if (direction) svg.append("text").attr("class", "rv-axis-name rv-direction-label").attr("x", 1).attr("y", LABEL_Y).text(direction);
  if (other) {
    svg.append("text").attr("class", "rv-axis-name").attr("x", 1).attr("y", GLYPH_ROW_HEIGHT + OTHER_HEIGHT).text(`${other.slice(0, 3)} |Δ|`);
  }
  const y = scaleLinear().domain([-extent, extent]).range([CENTRE + HALF_HEIGHT, CENTRE - HALF_HEIGHT]);
  const label = y.tickFormat(4);
  svg.append("line").attr("class", "rv-axis-line").attr("x1", AXIS_WIDTH - 2).attr("x2", AXIS_WIDTH - 2).attr("y1", y(extent)).attr("y2", y(-extent));
  for (const tick of y.ticks(4)) {
    svg.append("line").attr("class", "rv-axis-line").attr("x1", AXIS_WIDTH - 5).attr("x2", AXIS_WIDTH - 2).attr("y1", y(tick)).attr("y2", y(tick));
    svg
      .append("text")
      .attr("class", "rv-tick")
      .attr("x", AXIS_WIDTH - 7)
      .attr("y", y(tick) + 3)
      .attr("text-anchor", "end")
      .text(label(tick));
  }
  svg.append("text").attr("class", "rv-axis-name").attr("x", 1).attr("y", CENTRE - HALF_HEIGHT + 8).text("P/n");
  svg.append("text").attr("class", "rv-axis-name").attr("x", 1).attr("y", CENTRE + HALF_HEIGHT).text("N/n");
  svg.append("text").attr("class", "rv-axis-name").attr("x", 1).attr("y", KEPT_Y + KEPT_HEIGHT).text("kept");
}

export function drawHeatmapAxis(svg: SvgSelection, spans: { cluster: number; start: number; end: number }[], nUnits: number): void {
  const rowPx = unitRowHeight(nUnits);
  svg.attr("width", AXIS_WIDTH).attr("height", nUnits * rowPx + LABEL_HEIGHT).attr("class", "rv-sentence-axis");
  for (const span of spans) {
    const top = span.start * rowPx;
    const bottom = span.end * rowPx;
    svg.append("line").attr("class", "rv-axis-line").attr("x1", AXIS_WIDTH - 8).attr("x2", AXIS_WIDTH).attr("y1", top).attr("y2", top);
    if (bottom - top >= 9) {
      svg
        .append("text")
        .attr("class", "rv-tick")
        .attr("x", AXIS_WIDTH - 10)
        .attr("y", (top + bottom) / 2 + 3)
        .attr("text-anchor", "end")
        .text(`c${span.cluster}`);
    }
  }
}

function swatch(item: Selection<HTMLSpanElement, unknown, null, undefined>, className: string): void {
  item.append("span").attr("class", `rv-swatch ${className}`);
}

/** The legend line: what every mark means, for the mode on screen. */
export function drawSentenceLegend(host: HTMLElement, mode: "glyphs" | "heatmap", details: { state: string; backward: boolean; clip: number; what: string; other: string | null; bothRows: boolean }): void {
  host.replaceChildren();
  const legend = select(host);
  const item = (): Selection<HTMLSpanElement, unknown, null, undefined> => legend.append("span").attr("class", "rv-legend-item");
  if (mode === "glyphs") {
    let entry = item();
    swatch(entry, "rv-swatch-pos");
    entry.append("span").text(`P/n: mean positive ${details.state} of a cluster's units`);
    entry = item();
    swatch(entry, "rv-swatch-neg");
    entry.append("span").text("N/n: mean negative");
    entry = item();
    swatch(entry, "rv-swatch-grow");
    entry.append("span").text("grew since the previous token");
    entry = item();
    swatch(entry, "rv-swatch-shrink");
    entry.append("span").text("shrank");
    entry = item();
    swatch(entry, "rv-swatch-kept");
    entry.append("span").text("ruler between tokens: share of the previous memory each cluster kept");
    item().text(`one column per unit cluster, in the main view's order; one y-scale for all sentences${details.backward ? "; backward direction: each token is compared with the token after it" : ""}`);
    if (details.other) item().text(details.bothRows ? "bidirectional layer: a forward row above a backward row, aligned per token; each row uses its own direction's clusters" : `strip under the tokens: the ${details.other} direction's mean |response| at the same token`);
    return;
  }
  const entry = item();
  entry.append("span").text(`${details.what} −${fmt(details.clip)} `);
  entry
    .append("span")
    .attr("class", "rv-legend-bar")
    .style("background", `linear-gradient(to right, ${Array.from({ length: 11 }, (_, i) => divergingColor(i / 5 - 1, 1)).join(", ")})`);
  entry.append("span").text(` +${fmt(details.clip)}`);
  item().text("rows: units in the main view's cluster order; columns: tokens");
}
