// Links between unit clusters and word clouds: width by |weight|, colour by sign; faded while a
// sentence token is focused, whose own links then show.
import type { Selection } from "d3-selection";
import { divergingColor } from "../colors";
import { activeCluster, focusedToken, type AppState } from "../state";
import { fmt, type ClusterContext } from "./context";
import { maxOf, visibleLinks, type Link } from "./layout";

/** Stroke width of a link of mean |response| `strength`, the strongest pair's being `strongest`
 * (the legend draws the same scale). */
export function linkWidth(strength: number, strongest: number): number {
  return 1 + 9 * (strongest > 0 ? strength / strongest : 0);
}

export function renderLinks(group: Selection<SVGGElement, unknown, null, undefined>, ctx: ClusterContext): () => void {
  const { clustering, layout, store, tooltip, intents } = ctx;
  const strongest = maxOf(clustering.edgeStrength.data);

  const draw = (state: AppState, previous?: AppState): void => {
    if (!previous || previous.linkFilter !== state.linkFilter) {
      const links = visibleLinks(layout, clustering, state.linkFilter);
      group
        .selectAll<SVGPathElement, Link>("path.rv-link")
        .data(links, (link) => `${link.unitCluster}-${link.wordCluster}`)
        .join("path")
        .attr("class", "rv-link")
        .attr("d", (link) => link.path)
        .attr("data-sign", (link) => (link.weight > 0 ? "+" : "-"))
        // Saturated when the block's units agree in sign, pale when their signs cancel.
        .attr("stroke", (link) => divergingColor(link.weight / link.strength, 1))
        .attr("stroke-width", (link) => linkWidth(link.strength, strongest))
        .on("mouseenter", (event: MouseEvent, link) => {
          intents.hoverCluster(link.unitCluster);
          tooltip.show(
            [
              `unit cluster ${link.unitCluster} → word cluster ${link.wordCluster}`,
              `mean response ${fmt(link.weight)} · mean |response| ${fmt(link.strength)}`,
            ],
            event,
          );
        })
        .on("mouseleave", () => {
          intents.hoverCluster(null);
          tooltip.hide();
        });
    }
    const active = activeCluster(state);
    // Restyle the links only when the filter or the highlighted cluster changed, not on every hover.
    if (!previous || previous.linkFilter !== state.linkFilter || active !== activeCluster(previous)) {
      group
        .selectAll<SVGPathElement, Link>("path.rv-link")
        .classed("rv-active", (link) => active !== null && (link.unitCluster === active || link.wordCluster === active))
        .classed("rv-dim", (link) => active !== null && link.unitCluster !== active && link.wordCluster !== active);
      group.attr("data-count", group.selectAll("path.rv-link").size());
    }
    // A token's own links (js/views/token_links.ts) take the stage while one is focused.
    group.classed("rv-muted", focusedToken(state) !== null);
  };
  draw(store.get());
  return store.subscribe(draw);
}
