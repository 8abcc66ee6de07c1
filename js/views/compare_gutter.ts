// The middle of a comparison, where both word-cloud columns meet: one band per row slot, in the
// matched pair's colour, with the pair's word overlap (Jaccard); a stripe on each cloud's inner
// edge in the same colour. Bands follow the shared focus and hover like the clouds do.
import type { Selection } from "d3-selection";
import { clusterOnSide, pairColor, pairOf, type ComparisonData, type LinkedState, type Side } from "../compare_data";
import type { Store } from "../store";
import type { Tooltip } from "./context";
import type { Layout } from "./layout";

export const GUTTER = 46;
const STRIPE = 5;

interface Band {
  slot: number;
  y: number;
  height: number;
  left: number | null;
  right: number | null;
  pair: number; // -1 when the slot holds one side only
}

export function gutterBands(slots: [(number | null)[], (number | null)[]], layouts: [Layout, Layout], data: ComparisonData): Band[] {
  const pairs = [pairOf(data, 0), pairOf(data, 1)];
  return slots[0].map((left, slot) => {
    const right = slots[1][slot];
    const row = left !== null ? layouts[0].rows[layouts[0].rowOfCluster.get(left) ?? 0] : layouts[1].rows[layouts[1].rowOfCluster.get(right ?? 0) ?? 0];
    const pair = left !== null ? pairs[0][left] : -1;
    return { slot, y: row.y, height: row.height, left, right, pair };
  });
}

export function renderGutter(
  group: Selection<SVGGElement, unknown, null, undefined>,
  bands: Band[],
  data: ComparisonData,
  linked: Store<LinkedState>,
  tooltip: Tooltip,
  x: number,
): () => void {
  const band = group
    .selectAll<SVGGElement, Band>("g.rv-pair")
    .data(bands)
    .join("g")
    .attr("class", "rv-pair")
    .attr("data-left", (b) => b.left ?? "")
    .attr("data-right", (b) => b.right ?? "")
    .attr("data-pair", (b) => b.pair)
    .attr("transform", (b) => `translate(${x},${b.y})`);
  band
    .append("rect")
    .attr("class", "rv-pair-band")
    .attr("width", GUTTER)
    .attr("height", (b) => b.height)
    .attr("fill", (b) => pairColor(b.pair));
  for (const [side, offset] of [
    [0, -STRIPE],
    [1, GUTTER],
  ] as const) {
    band
      .filter((b) => (side === 0 ? b.left : b.right) !== null)
      .append("rect")
      .attr("class", "rv-pair-mark")
      .attr("data-side", side)
      .attr("data-cluster", (b) => (side === 0 ? b.left : b.right) ?? "")
      .attr("x", offset)
      .attr("width", STRIPE)
      .attr("height", (b) => b.height)
      .attr("fill", (b) => pairColor(b.pair));
  }
  band
    .append("text")
    .attr("class", "rv-pair-label")
    .attr("x", GUTTER / 2)
    .attr("y", (b) => b.height / 2)
    .attr("text-anchor", "middle")
    .attr("dominant-baseline", "middle")
    .text((b) => (b.pair >= 0 ? data.overlap.data[b.pair].toFixed(2) : "—"));
  band
    .on("mouseenter", (event: MouseEvent, b) => {
      const lines =
        b.pair >= 0
          ? [`left cluster ${b.left} ↔ right cluster ${b.right}`, `word overlap (Jaccard) ${data.overlap.data[b.pair].toFixed(3)} · ${data.shared.data[b.pair]} shared words`, "click to focus both"]
          : [`${b.left !== null ? `left cluster ${b.left}` : `right cluster ${b.right}`}: no matched cluster across`];
      tooltip.show(lines, event);
      const side: Side = b.left !== null ? 0 : 1;
      linked.update({ hoveredCluster: { side, cluster: (side === 0 ? b.left : b.right) as number } });
    })
    .on("mouseleave", () => {
      tooltip.hide();
      linked.update({ hoveredCluster: null });
    })
    .on("click", (_event, b) => {
      const side: Side = b.left !== null ? 0 : 1;
      const cluster = (side === 0 ? b.left : b.right) as number;
      const current = linked.get().focusedCluster;
      linked.update({ focusedCluster: current && current.side === side && current.cluster === cluster ? null : { side, cluster } });
    });

  const paint = (state: LinkedState): void => {
    const ref = state.focusedCluster ?? state.hoveredCluster;
    const active = clusterOnSide(ref, 0, data.partner);
    const activeRight = clusterOnSide(ref, 1, data.partner);
    band
      .classed("rv-active", (b) => ref !== null && ((b.left !== null && b.left === active) || (b.right !== null && b.right === activeRight)))
      .classed("rv-dim", (b) => ref !== null && !((b.left !== null && b.left === active) || (b.right !== null && b.right === activeRight)));
  };
  paint(linked.get());
  return linked.subscribe(paint);
}
