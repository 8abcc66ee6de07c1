// Word clouds, one per word cluster, level with the paired unit block. d3-cloud places the
// words (strongest first) and drops any that would overlap or leave the box.
import cloud from "d3-cloud";
import { select, type Selection } from "d3-selection";
import { activeCluster, PIN_COLORS, type AppState } from "../state";
import { fmt, type ClusterContext } from "./context";
import { cloudWords, fontSize, type RowLayout } from "./layout";

const WORDS_PER_CLOUD = 40;
const FONT = "sans-serif";
const INSET = 4;

interface Placed extends cloud.Word {
  word: number;
}

/** Small seeded generator so the same data always gives the same cloud. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function renderClouds(
  group: Selection<SVGGElement, unknown, null, undefined>,
  ctx: ClusterContext,
  onReady: () => void,
): () => void {
  const { data, clustering, layout, store, intents, tooltip } = ctx;
  const x0 = layout.chipsWidth + layout.linksWidth;
  let strongest = 0;
  for (const s of clustering.wordStrength.data) strongest = Math.max(strongest, s);
  let pending = layout.rows.length;
  const layouts: ReturnType<typeof cloud<Placed>>[] = [];

  const rows = group
    .selectAll<SVGGElement, RowLayout>("g.rv-cloud")
    .data(layout.rows)
    .join("g")
    .attr("class", "rv-cloud")
    .attr("data-cluster", (row) => row.cluster)
    .attr("transform", (row) => `translate(${x0},${row.y})`);
  rows
    .append("rect")
    .attr("class", "rv-cloud-frame")
    .attr("width", layout.cloudWidth)
    .attr("height", (row) => row.height)
    .attr("rx", 4)
    .on("mouseenter", (_event, row) => intents.hoverCluster(row.cluster))
    .on("mouseleave", () => intents.hoverCluster(null))
    .on("click", (_event, row) => intents.focusCluster(row.cluster));

  const paint = (state: AppState): void => {
    const active = activeCluster(state);
    rows.classed("rv-active", (row) => row.cluster === active).classed("rv-dim", (row) => active !== null && row.cluster !== active);
    rows
      .selectAll<SVGTextElement, Placed>("text.rv-cloud-word")
      .classed("rv-hovered", (d) => d.word === state.hoveredWord)
      .attr("fill", (d) => {
        const pin = state.pinnedWords.indexOf(d.word);
        return pin >= 0 ? PIN_COLORS[pin] : null;
      })
      .classed("rv-pinned", (d) => state.pinnedWords.includes(d.word));
  };

  const finish = (): void => {
    pending -= 1;
    if (pending === 0) {
      paint(store.get());
      onReady();
    }
  };

  rows.each(function (row) {
    const target = this as SVGGElement;
    const words: Placed[] = cloudWords(clustering, row.cluster, WORDS_PER_CLOUD).map((w) => ({
      word: w,
      text: data.words[w],
      size: fontSize(clustering.wordStrength.data[w], strongest),
    }));
    const width = layout.cloudWidth - 2 * INSET;
    const height = row.height - 2 * INSET;
    const placer = cloud<Placed>()
      .size([width, height])
      .words(words)
      .padding(1)
      .rotate(0)
      .font(FONT)
      .fontSize((d) => d.size ?? 10)
      .text((d) => d.text ?? "")
      .random(seededRandom(row.cluster + 1))
      .timeInterval(Infinity)
      .on("end", (placed: Placed[]) => {
        const g = select(target)
          .append("g")
          .attr("transform", `translate(${INSET + width / 2},${INSET + height / 2})`);
        g.selectAll<SVGTextElement, Placed>("text")
          .data(placed)
          .join("text")
          .attr("class", "rv-cloud-word")
          .attr("data-word", (d) => d.word)
          .attr("text-anchor", "middle")
          .attr("font-family", FONT)
          .attr("font-size", (d) => `${d.size}px`)
          .attr("transform", (d) => `translate(${d.x ?? 0},${d.y ?? 0})`)
          .text((d) => d.text ?? "")
          .on("mouseenter", (event: MouseEvent, d) => {
            intents.hoverWord(d.word);
            tooltip.show(
              [
                `“${data.words[d.word]}” · word cluster ${row.cluster}`,
                `seen ${data.counts.data[d.word]}× · strength ${fmt(clustering.wordStrength.data[d.word])}`,
                "click to pin (up to 3)",
              ],
              event,
            );
          })
          .on("mouseleave", () => {
            intents.hoverWord(null);
            tooltip.hide();
          })
          .on("click", (event: MouseEvent, d) => {
            event.stopPropagation();
            intents.togglePin(d.word);
          });
        // How many words fitted, for tests and for the curious reader of the DOM.
        target.setAttribute("data-placed", String(placed.length));
        target.setAttribute("data-offered", String(words.length));
        finish();
      });
    layouts.push(placer);
    placer.start();
  });

  const unsubscribe = store.subscribe(paint);
  return () => {
    for (const placer of layouts) placer.stop();
    unsubscribe();
  };
}
