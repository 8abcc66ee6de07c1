// Legend: explains every colour and width in the main view.
import { select } from "d3-selection";
import { divergingColor, sequentialColor } from "../colors";
import type { MainData } from "../main_data";
import type { AppState } from "../state";
import type { Store } from "../store";
import { fmt } from "./context";
import { maxOf } from "./layout";
import { linkWidth } from "./links";

const LINK_SAMPLE = 26; // px per sample stroke

function gradient(colour: (t: number) => string): string {
  return `linear-gradient(to right, ${Array.from({ length: 11 }, (_, i) => colour(i / 10)).join(", ")})`;
}

export function renderLegend(root: HTMLElement, data: MainData, store: Store<AppState>): () => void {
  const legend = select(root).append("div").attr("class", "rv-legend");
  const restingMax = maxOf(data.resting.data);

  const response = legend.append("span").attr("class", "rv-legend-item");
  response.append("span").text("response to the hovered word (or sentence token) ");
  const low = response.append("span").attr("class", "rv-legend-label");
  response
    .append("span")
    .attr("class", "rv-legend-bar")
    .style("background", gradient((t) => divergingColor(2 * t - 1, 1)));
  const high = response.append("span").attr("class", "rv-legend-label");

  const rest = legend.append("span").attr("class", "rv-legend-item");
  rest.append("span").text(`chips at rest: ${data.restingLabel} 0 `);
  rest
    .append("span")
    .attr("class", "rv-legend-bar")
    .style("background", gradient((t) => sequentialColor(t, 1)));
  rest.append("span").attr("class", "rv-legend-label").text(fmt(restingMax));

  // Link widths drawn at three strengths of the clustering on screen, with their values.
  const widths = legend.append("span").attr("class", "rv-legend-item rv-link-legend");
  widths.append("span").text("links: mean |response| of the unit cluster to the word cluster ");
  const samples = widths.append("svg").attr("class", "rv-link-samples").attr("width", 3 * LINK_SAMPLE).attr("height", 14);
  const FRACTIONS = [0.1, 0.5, 1];
  const strokes = FRACTIONS.map((_, i) =>
    samples
      .append("line")
      .attr("x1", i * LINK_SAMPLE + 4)
      .attr("x2", (i + 1) * LINK_SAMPLE - 4)
      .attr("y1", 7)
      .attr("y2", 7)
      .attr("stroke", "currentColor"),
  );
  const values = widths.append("span").attr("class", "rv-legend-label");
  legend
    .append("span")
    .attr("class", "rv-legend-item")
    .text("link colour: the sign of the mean response (pale: signs mixed) · word size: strength for its unit cluster");

  const update = (state: AppState, previous?: AppState): void => {
    low.text(`−${fmt(state.colorClip)} `);
    high.text(` +${fmt(state.colorClip)}`);
    if (!previous || previous.strongestLink !== state.strongestLink) {
      const strongest = state.strongestLink;
      widths.classed("rv-hidden", strongest === null);
      if (strongest === null) return;
      FRACTIONS.forEach((f, i) => strokes[i].attr("stroke-width", linkWidth(f * strongest, strongest)));
      values.text(` ${FRACTIONS.map((f) => fmt(f * strongest)).join(" · ")}`).attr("data-strongest", strongest);
    }
  };
  update(store.get());
  return store.subscribe(update);
}
