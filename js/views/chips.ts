// Memory chips: every hidden unit a small square, one block per unit cluster.
// At rest a chip shows its resting value (e.g. mean |Δ|); while a word is hovered, that word's
// mean response on the diverging scale; while a token of a sentence is hovered (or pinned), that
// one occurrence's response, on the same scale, so the two compare by eye.
import type { Selection } from "d3-selection";
import { divergingColor, sequentialColor } from "../colors";
import { activeCluster, focusedToken, type AppState, type TokenFocus } from "../state";
import { visibleToken } from "../sentence_data";
import { fmt, type ClusterContext } from "./context";
import { maxOf, type RowLayout } from "./layout";

export function renderChips(group: Selection<SVGGElement, unknown, null, undefined>, ctx: ClusterContext): () => void {
  const { data, clustering, layout, intents, tooltip, store } = ctx;
  const units = Array.from({ length: data.nUnits }, (_, u) => u);
  const restingMax = maxOf(data.resting.data);

  const blocks = group
    .selectAll<SVGRectElement, RowLayout>("rect.rv-block")
    .data(layout.rows)
    .join("rect")
    .attr("class", "rv-block")
    .attr("data-cluster", (row) => row.cluster)
    .attr("x", layout.chipsX)
    .attr("y", (row) => row.y)
    .attr("width", layout.chipsWidth)
    .attr("height", (row) => row.height)
    .attr("rx", 4)
    .on("mouseenter", (_event, row) => intents.hoverCluster(row.cluster))
    .on("mouseleave", () => intents.hoverCluster(null))
    .on("click", (_event, row) => intents.focusCluster(row.cluster));

  const chips = group
    .selectAll<SVGRectElement, number>("rect.rv-chip")
    .data(units)
    .join("rect")
    .attr("class", "rv-chip")
    .attr("data-unit", (u) => u)
    .attr("x", (u) => layout.chipX[u])
    .attr("y", (u) => layout.chipY[u])
    .attr("width", layout.chipSize)
    .attr("height", layout.chipSize)
    .on("mouseenter", (event: MouseEvent, u) => {
      intents.hoverUnit(u);
      intents.hoverCluster(clustering.unitCluster.data[u]);
      const word = store.get().hoveredWord;
      const token = focusedToken(store.get());
      const lines = [`unit ${u} · cluster ${clustering.unitCluster.data[u]}`, `${data.restingLabel}: ${fmt(data.resting.data[u])}`];
      if (word !== null) lines.push(`response to “${data.words[word]}”: ${fmt(data.response.data[word * data.nUnits + u])}`);
      if (token) lines.push(`response at “${visibleToken(token.text)}” (sentence ${token.sentence + 1}, token ${token.token + 1}): ${fmt(token.response[u])}`);
      lines.push("click for its strongest words and contexts");
      tooltip.show(lines, event);
    })
    .on("mouseleave", () => {
      intents.hoverUnit(null);
      intents.hoverCluster(null);
      tooltip.hide();
    })
    .on("click", (event: MouseEvent, u) => {
      event.stopPropagation();
      intents.selectUnit(store.get().selectedUnit === u ? null : u);
    });

  const paint = (state: AppState, previous?: AppState): void => {
    const token = focusedToken(state);
    const recolour =
      !previous ||
      state.hoveredWord !== previous.hoveredWord ||
      state.colorClip !== previous.colorClip ||
      token?.response !== focusedToken(previous)?.response;
    if (recolour) {
      const { colour, by } = chipColouring(state, token);
      chips.attr("fill", colour);
      group.attr("data-colored-by", by);
    }
    if (!previous || state.selectedUnit !== previous.selectedUnit) {
      chips.classed("rv-selected", (u) => u === state.selectedUnit);
    }
    const active = activeCluster(state);
    if (!previous || active !== activeCluster(previous)) {
      blocks.classed("rv-active", (row) => row.cluster === active).classed("rv-dim", (row) => active !== null && row.cluster !== active);
      chips.classed("rv-dim", (u) => active !== null && clustering.unitCluster.data[u] !== active);
    }
  };
  paint(store.get());
  return store.subscribe(paint);

  /** A hovered token wins over a hovered word (the pointer is on it); a pinned token colours
   * the chips only while no word is hovered. */
  function chipColouring(state: AppState, token: TokenFocus | null): { colour: (u: number) => string; by: string } {
    const byToken = token && (state.hoveredToken !== null || state.hoveredWord === null) ? token : null;
    if (byToken) {
      return { colour: (u) => divergingColor(byToken.response[u], state.colorClip), by: `token:${byToken.sentence}:${byToken.token}` };
    }
    const word = state.hoveredWord;
    if (word !== null) {
      const row = word * data.nUnits;
      return { colour: (u) => divergingColor(data.response.data[row + u], state.colorClip), by: data.words[word] };
    }
    return { colour: (u) => sequentialColor(data.resting.data[u], restingMax), by: "rest" };
  }
}
