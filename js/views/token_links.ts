// Links from the token hovered (or pinned) in the sentence view to the unit clusters of the main
// view: one stub per cluster block, width ∝ Σ|response|/n of the cluster at that token, colour
// by the sign of the summed response, the number beside it. The same link filter as the word
// links hides the weak ones (a fraction of the token's strongest link).
import type { Selection } from "d3-selection";
import { divergingColor } from "../colors";
import { clusterLinks, visibleToken } from "../sentence_data";
import { focusedToken, type AppState, type TokenFocus } from "../state";
import { fmt, type ClusterContext } from "./context";
import type { RowLayout } from "./layout";

const STUB = 64;
const MAX_WIDTH = 14;

interface Stub {
  row: RowLayout;
  strength: number;
  sign: number;
}

export function renderTokenLinks(group: Selection<SVGGElement, unknown, null, undefined>, ctx: ClusterContext): () => void {
  const { clustering, layout, store, tooltip } = ctx;
  const x0 = layout.chipsWidth + 2;

  const draw = (state: AppState, previous?: AppState): void => {
    const token = focusedToken(state);
    const before = previous ? focusedToken(previous) : undefined;
    if (previous && token === before && state.linkFilter === previous.linkFilter) return;
    group.selectAll("*").remove();
    group.attr("data-token", token ? `${token.sentence}:${token.token}` : null);
    if (!token) return;
    const stubs = stubsFor(token, state.linkFilter);
    const scale = token.strongest > 0 ? token.strongest : 1;
    const joined = group
      .selectAll<SVGGElement, Stub>("g.rv-token-link")
      .data(stubs)
      .join("g")
      .attr("class", "rv-token-link")
      .classed("rv-active", (stub) => stub.row.cluster === token.cluster)
      .attr("data-cluster", (stub) => stub.row.cluster)
      .attr("data-strength", (stub) => stub.strength)
      .attr("data-sign", (stub) => (stub.sign > 0 ? "+" : stub.sign < 0 ? "-" : "0"))
      .attr("transform", (stub) => `translate(${x0},${stub.row.y + stub.row.height / 2})`)
      .on("mouseenter", (event: MouseEvent, stub) => {
        tooltip.show(
          [
            `“${visibleToken(token.text)}” (sentence ${token.sentence + 1}, token ${token.token + 1}) → unit cluster ${stub.row.cluster}`,
            `mean |update| Σ|r|/n = ${fmt(stub.strength)} · net sign ${stub.sign > 0 ? "+" : stub.sign < 0 ? "−" : "0"}`,
            `widths share one scale: the strongest link of all sentences shown is ${fmt(scale)}`,
          ],
          event,
        );
      })
      .on("mouseleave", () => tooltip.hide());
    joined
      .append("line")
      .attr("x1", 0)
      .attr("x2", STUB)
      .attr("y1", 0)
      .attr("y2", 0)
      .attr("stroke", (stub) => divergingColor(stub.sign * 0.85, 1))
      .attr("stroke-width", (stub) => Math.max(1, (MAX_WIDTH * stub.strength) / scale));
    joined
      .append("text")
      .attr("class", "rv-token-link-value")
      .attr("x", STUB + 4)
      .attr("y", 4)
      .text((stub) => fmt(stub.strength));
  };

  function stubsFor(token: TokenFocus, filter: number): Stub[] {
    const { strength, sign } = clusterLinks(token.response, clustering.unitCluster.data, clustering.k);
    let strongest = 0;
    for (const s of strength) strongest = Math.max(strongest, s);
    return layout.rows
      .map((row) => ({ row, strength: strength[row.cluster], sign: sign[row.cluster] }))
      .filter((stub) => stub.strength > 0 && stub.strength >= filter * strongest);
  }

  draw(store.get());
  return store.subscribe(draw);
}
