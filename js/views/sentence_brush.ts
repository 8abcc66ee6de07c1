// The overview above the sentences: every sentence as a strip of its tokens, darker where the
// token moved the memory more (its strongest link to any cluster). Dragging across it zooms the
// rows to that token range; a click shows every token again.
import { pointer, select } from "d3-selection";
import { brushRange } from "../sentence_layout";
import type { Glyph } from "../sentence_data";

const HEIGHT = 24;

export function drawOverview(host: HTMLElement, glyphs: Glyph[], longest: number, range: [number, number] | null, width: number, onRange: (range: [number, number] | null) => void): void {
  host.replaceChildren();
  if (longest <= 0 || glyphs.length === 0 || width <= 0) return;
  const perToken = width / longest;
  const svg = select(host)
    .append("svg")
    .attr("class", "rv-overview-strip")
    .attr("width", width)
    .attr("height", HEIGHT)
    .attr("data-range", range ? `${range[0]}-${range[1]}` : "all");
  svg.append("title").text("drag across tokens to zoom into them; click to show every token");

  let strongest = 0;
  for (const g of glyphs) for (const v of g.linkStrength) strongest = Math.max(strongest, v);
  const band = (HEIGHT - 2) / glyphs.length;
  glyphs.forEach((g, s) => {
    let d = "";
    for (let t = 0; t < g.nTokens; t++) {
      let most = 0;
      for (let c = 0; c < g.k; c++) most = Math.max(most, g.linkStrength[t * g.k + c]);
      const level = strongest > 0 ? most / strongest : 0;
      const h = Math.max(1, band * (0.25 + 0.75 * level));
      d += `M${t * perToken},${1 + s * band + (band - h)}h${Math.max(1, perToken - 1)}v${h}h${-Math.max(1, perToken - 1)}Z`;
    }
    svg.append("path").attr("class", "rv-overview-tokens").attr("d", d);
  });
  const selection = svg.append("rect").attr("class", "rv-brush").attr("y", 0).attr("height", HEIGHT);
  const show = (x0: number, x1: number): void => {
    selection.attr("x", Math.min(x0, x1)).attr("width", Math.abs(x1 - x0)).classed("rv-hidden", false);
  };
  if (range) show(range[0] * perToken, range[1] * perToken);
  else selection.classed("rv-hidden", true);

  const node = svg.node();
  if (!node) return;
  let start: number | null = null;
  node.addEventListener("pointerdown", (event) => {
    start = pointer(event, node)[0];
    node.setPointerCapture?.(event.pointerId);
    show(start, start);
  });
  node.addEventListener("pointermove", (event) => {
    if (start !== null) show(start, pointer(event, node)[0]);
  });
  node.addEventListener("pointerup", (event) => {
    if (start === null) return;
    const chosen = brushRange(start, pointer(event, node)[0], width, longest);
    start = null;
    onRange(chosen);
  });
}
