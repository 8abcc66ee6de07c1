// Memory chips: every hidden unit a small square, one block per unit cluster.
// At rest a chip shows its resting value (e.g. mean |Δ|); while a word is hovered, that word's
// mean response on the diverging scale; while a token of a sentence is hovered (or pinned), that
// one occurrence's response, on the same scale, so the two compare by eye.
//
// The squares' colours are painted on one canvas: a hover recolours every chip (600 a side in a
// comparison, 1,200 in a big view), and as SVG fills that costs a style recalc and a repaint of
// each element, tens of ms a hover; one canvas redraw costs about a millisecond. Transparent SVG
// rects under it (the canvas lets the pointer through) keep hit-testing, tooltips and clicks in
// the DOM; a hover never changes them. They sit below it, not above: hundreds of elements
// painted over a canvas cost the compositor several ms a frame to sort into layers.
import type { Selection } from "d3-selection";
import { divergingColor, sequentialColor } from "../colors";
import { activeCluster, focusedToken, type AppState, type TokenFocus } from "../state";
import { visibleToken } from "../sentence_data";
import { fmt, type ClusterContext } from "./context";
import { maxOf, type Layout, type RowLayout } from "./layout";

// Opacity of a chip outside the active cluster, as `.rv-dim` in styles.css.
const DIM_OPACITY = 0.25;
const MAX_CANVAS_PIXELS = 32_000;

export function renderChips(group: Selection<SVGGElement, unknown, null, undefined>, ctx: ClusterContext): () => void {
  const { data, clustering, layout, intents, tooltip, store } = ctx;
  const units = Array.from({ length: data.nUnits }, (_, u) => u);
  const unitCluster = clustering.unitCluster.data;
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
      intents.hoverCluster(unitCluster[u]);
      const word = store.get().hoveredWord;
      const token = focusedToken(store.get());
      const lines = [`unit ${u} · cluster ${unitCluster[u]}`, `${data.restingLabel}: ${fmt(data.resting.data[u])}`];
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

  const painter = chipCanvas(group, layout);
  // The selected chip's outline, over the canvas.
  const outline = group
    .append("rect")
    .attr("class", "rv-chip-outline")
    .attr("width", layout.chipSize)
    .attr("height", layout.chipSize);

  const colours: string[] = new Array(data.nUnits);
  const paint = (state: AppState, previous?: AppState): void => {
    const token = focusedToken(state);
    const recolour =
      !previous ||
      state.hoveredWord !== previous.hoveredWord ||
      state.colorClip !== previous.colorClip ||
      token?.response !== focusedToken(previous)?.response;
    if (recolour) {
      const { colour, by } = chipColouring(state, token);
      for (const u of units) colours[u] = colour(u);
      group.attr("data-colored-by", by);
    }
    const active = activeCluster(state);
    const activeChanged = !previous || active !== activeCluster(previous);
    if (recolour || activeChanged) painter.draw(colours, (u) => active !== null && unitCluster[u] !== active);
    if (activeChanged) {
      blocks.classed("rv-active", (row) => row.cluster === active).classed("rv-dim", (row) => active !== null && row.cluster !== active);
    }
    const selected = state.selectedUnit;
    if (selected !== previous?.selectedUnit) {
      chips.filter((u) => u === selected || u === previous?.selectedUnit).classed("rv-selected", (u) => u === selected);
    }
    if (activeChanged || selected !== previous?.selectedUnit) {
      const shown = selected !== null && selected >= 0 && selected < data.nUnits;
      outline
        .classed("rv-hidden", !shown)
        .classed("rv-dim", shown && active !== null && unitCluster[selected] !== active)
        .attr("x", shown ? layout.chipX[selected] : 0)
        .attr("y", shown ? layout.chipY[selected] : 0);
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

/** A canvas over the chip column (inside the SVG, so it scrolls, mirrors and exports with it)
 * that paints every chip square in one pass. */
function chipCanvas(group: Selection<SVGGElement, unknown, null, undefined>, layout: Layout): { draw(colours: string[], dim: (u: number) => boolean): void } {
  const { chipsX, chipsWidth, chipSize, height, chipX, chipY } = layout;
  const frame = group
    .append("foreignObject")
    .attr("class", "rv-chip-paint")
    .attr("x", chipsX)
    .attr("y", 0)
    .attr("width", chipsWidth)
    .attr("height", height);
  const canvas = document.createElement("canvas");
  // One canvas pixel per screen pixel; capped, as Chrome refuses very tall canvases.
  const scale = Math.min(Math.max(1, window.devicePixelRatio || 1), MAX_CANVAS_PIXELS / Math.max(1, height));
  canvas.width = Math.max(1, Math.round(chipsWidth * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  canvas.style.width = `${chipsWidth}px`;
  canvas.style.height = `${height}px`;
  frame.node()?.appendChild(canvas);
  const context = canvas.getContext("2d");
  return {
    draw(colours, dim) {
      if (!context) return;
      // Grouped by colour: setting a colour string costs the context more than a square does.
      const groups = [new Map<string, number[]>(), new Map<string, number[]>()];
      for (let u = 0; u < colours.length; u++) {
        const byColour = groups[dim(u) ? 1 : 0];
        const units = byColour.get(colours[u]);
        if (units) units.push(u);
        else byColour.set(colours[u], [u]);
      }
      context.setTransform(scale, 0, 0, scale, -chipsX * scale, 0);
      context.clearRect(chipsX, 0, chipsWidth, height);
      groups.forEach((byColour, dimmed) => {
        context.globalAlpha = dimmed ? DIM_OPACITY : 1;
        for (const [colour, units] of byColour) {
          context.fillStyle = colour;
          for (const u of units) context.fillRect(chipX[u], chipY[u], chipSize, chipSize);
        }
      });
    },
  };
}
