// Word clouds, one per word cluster, level with the paired unit block. d3-cloud places the
// words (strongest first) and drops any that would overlap or leave the box.
import cloud from "d3-cloud";
import { select, type Selection } from "d3-selection";
import { activeCluster, PIN_COLORS, type AppState } from "../state";
import { fmt, type ClusterContext } from "./context";
import { cloudWords, fontSize, maxOf, type RowLayout } from "./layout";

const WORDS_PER_CLOUD = 40;
const FONT = "sans-serif";
const INSET = 4;

interface Placed extends cloud.Word {
  word: number;
}

const MIN_FONT = 10; // fallback only: every word carries its own size
// Rough width of a glyph relative to the font size; only words that might not fit are measured.
const WIDE_GLYPH = 0.75;
let measuring: CanvasRenderingContext2D | null = null;
let spriteCanvas: HTMLCanvasElement | null = null;

/** One canvas for every cloud's sprites instead of a fresh 16 MB one per cloud. */
function sharedSpriteCanvas(): HTMLCanvasElement {
  if (!spriteCanvas) {
    spriteCanvas = document.createElement("canvas");
  }
  return spriteCanvas;
}

/** Shortens a word with an ellipsis until it fits the cloud's width at its own size: a long
 * token (a URL, a glued string) would otherwise be dropped by the layout however strong it is.
 * The full text stays in the tooltip and the aria-label. */
function fitWord(text: string, size: number, maxWidth: number): { text: string; size: number } {
  if (text.length * size * WIDE_GLYPH <= maxWidth) return { text, size };
  measuring ??= document.createElement("canvas").getContext("2d");
  if (!measuring) return { text, size };
  const context = measuring;
  context.font = `${size}px ${FONT}`;
  if (context.measureText(text).width <= maxWidth) return { text, size };
  let cut = text;
  while (cut.length > 1 && context.measureText(`${cut}…`).width > maxWidth) cut = cut.slice(0, -1);
  return { text: `${cut}…`, size };
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

/** Settings shared by the sprite pass and every cloud, so sprites computed once stay valid. */
function configure(layout: ReturnType<typeof cloud<Placed>>, words: Placed[]): ReturnType<typeof cloud<Placed>> {
  return layout
    .words(words)
    .padding(1)
    .rotate(0)
    .font(FONT)
    .fontSize((d) => d.size ?? MIN_FONT)
    .text((d) => d.text ?? "")
    .canvas(sharedSpriteCanvas)
    // Lay out in one go: the words are few, and a half-placed cloud is never shown.
    .timeInterval(Infinity);
}

export function renderClouds(
  group: Selection<SVGGElement, unknown, null, undefined>,
  ctx: ClusterContext,
  scrollRoot: Element,
  onReady: () => void,
): () => void {
  const { data, clustering, layout, store, intents, tooltip } = ctx;
  const x0 = layout.cloudX;
  const strongest = maxOf(clustering.wordStrength.data);
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

  // Repaint only what a store change touches: a hover must not restyle every word (the
  // comparison view runs this for both sides on every hover).
  const paint = (state: AppState, previous?: AppState): void => {
    const active = activeCluster(state);
    if (!previous || active !== activeCluster(previous)) {
      rows.classed("rv-active", (row) => row.cluster === active).classed("rv-dim", (row) => active !== null && row.cluster !== active);
    }
    const words = rows.selectAll<SVGTextElement, Placed>("text.rv-cloud-word");
    if (!previous || state.hoveredWord !== previous.hoveredWord) {
      const touched = (d: Placed): boolean => !previous || d.word === state.hoveredWord || d.word === previous.hoveredWord;
      words.filter(touched).classed("rv-hovered", (d) => d.word === state.hoveredWord);
    }
    if (!previous || state.pinnedWords !== previous.pinnedWords) {
      words
        .attr("fill", (d) => {
          const pin = state.pinnedWords.indexOf(d.word);
          return pin >= 0 ? PIN_COLORS[pin] : null;
        })
        .classed("rv-pinned", (d) => state.pinnedWords.includes(d.word));
    }
  };

  const width = layout.cloudWidth - 2 * INSET;
  const wordsOf = new Map<number, Placed[]>();
  for (const row of layout.rows) {
    wordsOf.set(
      row.cluster,
      cloudWords(clustering, row.cluster, WORDS_PER_CLOUD).map((w) => ({
        word: w,
        ...// d3-cloud rounds sprite widths up to 32 px, so leave that much slack.
        fitWord(data.words[w], fontSize(clustering.wordStrength.data[w], strongest), width - 36),
      })),
    );
  }

  const layoutRow = (row: RowLayout, target: SVGGElement, done: () => void): void => {
    const words = wordsOf.get(row.cluster) ?? [];
    const height = row.height - 2 * INSET;
    if (words.length === 0) {
      // The cluster's words are all outside the display words (or it has none): say so rather
      // than leave a blank box at the end of strong links.
      select(target)
        .append("text")
        .attr("class", "rv-cloud-empty")
        .attr("x", layout.cloudWidth / 2)
        .attr("y", row.height / 2)
        .attr("text-anchor", "middle")
        .text(`no words among the ${data.nWords} shown`);
      target.setAttribute("data-placed", "0");
      target.setAttribute("data-offered", "0");
      done();
      return;
    }
    const placer = configure(cloud<Placed>(), words)
      .size([width, height])
      .random(seededRandom(row.cluster + 1))
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
          .attr("aria-label", (d) => data.words[d.word])
          .classed("rv-changed", (d) => ctx.wordMark?.(d.word) ?? false)
          // Inline style, so no notebook stylesheet can draw in another font than was measured.
          .style("font-family", FONT)
          .attr("font-size", (d) => `${d.size}px`)
          .attr("transform", (d) => `translate(${d.x ?? 0},${d.y ?? 0})`)
          .text((d) => d.text ?? "")
          .on("mouseenter", (event: MouseEvent, d) => {
            // The tooltip first: its layout read is cheap before the hover restyles the view.
            tooltip.show(
              [
                `“${data.words[d.word]}” · word cluster ${row.cluster}`,
                `seen ${data.counts.data[d.word]}× · strength ${fmt(clustering.wordStrength.data[d.word])}`,
                ...(ctx.wordMark?.(d.word) ? ["in an unmatched cluster on the other side"] : []),
                "click to pin (up to 3)",
              ],
              event,
            );
            intents.hoverWord(d.word);
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
        paint(store.get());
        done();
      });
    layouts.push(placer);
    placer.start();
  };

  // d3-cloud reads its whole 2048² sprite canvas back once per cloud (tens of ms each), so
  // clouds are laid out when they scroll near view; the view is ready once the visible ones are.
  let waitingForVisible = -1;
  const observer = new IntersectionObserver(
    (entries) => {
      const visible = entries.filter((entry) => entry.isIntersecting);
      if (waitingForVisible < 0) {
        waitingForVisible = visible.length;
        if (waitingForVisible === 0) onReady();
      }
      for (const entry of visible) {
        observer.unobserve(entry.target);
        const row = select<Element, RowLayout>(entry.target).datum();
        layoutRow(row, entry.target as SVGGElement, () => {
          waitingForVisible -= 1;
          if (waitingForVisible === 0) onReady();
        });
      }
    },
    { root: scrollRoot, rootMargin: "200px" },
  );
  rows.each(function () {
    observer.observe(this as SVGGElement);
  });

  const unsubscribe = store.subscribe(paint);
  return () => {
    observer.disconnect();
    for (const placer of layouts) placer.stop();
    unsubscribe();
  };
}
