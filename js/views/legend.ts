// Legend: explains every colour and width in the main view.
import { select } from "d3-selection";
import { divergingColor, sequentialColor } from "../colors";
import type { MainData } from "../main_data";
import type { AppState } from "../state";
import type { Store } from "../store";
import { fmt } from "./context";
import { maxOf } from "./layout";

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

  legend
    .append("span")
    .attr("class", "rv-legend-item")
    .text(
      "links: width ∝ mean |response| of the unit cluster to the word cluster; colour by the sign of the mean response (pale: signs mixed) · word size: strength for its unit cluster",
    );

  const update = (state: AppState): void => {
    low.text(`−${fmt(state.colorClip)} `);
    high.text(` +${fmt(state.colorClip)}`);
  };
  update(store.get());
  return store.subscribe(update);
}
