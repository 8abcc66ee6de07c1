// Word clouds, one per word cluster, level with the paired unit block. d3-cloud places the
// words (strongest first) and drops any that would overlap or leave the box; so the fonts shrink
// until the cluster's strongest words all fit, and a cloud that still hides some says "+N more"
// (a click lists every word of the cluster in the side panel).
import cloud from "d3-cloud";
import { select, type Selection } from "d3-selection";
import { visibleToken } from "../sentence_data";
import { activeCluster, PIN_COLORS, type AppState } from "../state";
import { fmt, type ClusterContext } from "./context";
import { cloudWords, fontSize, maxOf, type RowLayout } from "./layout";

const WORDS_PER_CLOUD = 40;
/** A cloud always draws its strongest words, this many (or all it has). */
export const MUST_DRAW = 10;
// The must-draw words' rough area is kept under this share of the box before the first layout
// (each extra layout reads the sprite canvas back again), then fonts shrink by SHRINK per retry.
const FIRST_FILL = 0.35;
const SHRINK = 0.8;
const MAX_LAYOUTS = 6;
const MORE_HEIGHT = 14; // the "+N more" line under the words
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

/** The font scale at which `words` (sized at scale 1) roughly fill FIRST_FILL of a width ×
 * height box: one layout usually suffices, and fonts never grow past their own size. */
export function firstScale(words: { text?: string; size?: number }[], width: number, height: number): number {
  let area = 0;
  for (const w of words) {
    const size = w.size ?? MIN_FONT;
    area += ((w.text ?? "").length * size * 0.6 + 2) * (size * 1.2 + 2);
  }
  if (area <= 0 || width <= 0 || height <= 0) return 1;
  return Math.min(1, Math.sqrt((FIRST_FILL * width * height) / area));
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
  scrollRoot: Element | null,
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
  // The cluster's number, as tooltips, the side panels and w.clusters() name it.
  rows
    .append("text")
    .attr("class", "rv-cloud-number")
    .attr("x", 3)
    .attr("y", 11)
    .text((row) => `#${row.cluster}`);

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
  const clusterSize = new Map<number, number>();
  for (const label of clustering.wordCluster.data) clusterSize.set(label, (clusterSize.get(label) ?? 0) + 1);
  /** The cloud's words at font scale `scale`, fresh objects (d3-cloud writes into them). */
  const wordsAt = (cluster: number, scale: number): Placed[] =>
    cloudWords(clustering, cluster, WORDS_PER_CLOUD).map((w) => ({
      word: w,
      ...// d3-cloud rounds sprite widths up to 32 px, so leave that much slack.
      // Whitespace and control tokens (a character model's space) drawn as visible symbols.
      fitWord(visibleToken(data.words[w]), fontSize(clustering.wordStrength.data[w], strongest) * scale, width - 36),
    }));

  const layoutRow = (row: RowLayout, target: SVGGElement, done: () => void): void => {
    const total = clusterSize.get(row.cluster) ?? 0;
    const height = row.height - 2 * INSET - (total > MUST_DRAW ? MORE_HEIGHT : 0);
    let scale = firstScale(wordsAt(row.cluster, 1).slice(0, MUST_DRAW), width, height);
    let words = wordsAt(row.cluster, scale);
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
    let tries = 1;
    const mustDraw = words.slice(0, MUST_DRAW).map((w) => w.word);
    const place = (): void => {
      const placer = configure(cloud<Placed>(), words)
        .size([width, Math.max(height, 1)])
        .random(seededRandom(row.cluster + 1))
        .on("end", (placed: Placed[]) => {
          const drawn = new Set(placed.map((d) => d.word));
          if (tries < MAX_LAYOUTS && !mustDraw.every((w) => drawn.has(w))) {
            // A strong word did not fit: shrink every font and lay the cloud out again.
            tries += 1;
            scale *= SHRINK;
            words = wordsAt(row.cluster, scale);
            place();
            return;
          }
          draw(placed);
        });
      layouts.push(placer);
      placer.start();
    };
    const draw = (placed: Placed[]): void => {
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
              `“${visibleToken(data.words[d.word])}” · word cluster ${row.cluster}`,
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
      target.setAttribute("data-scale", scale.toFixed(3));
      const hidden = total - placed.length;
      if (hidden > 0) {
        select(target)
          .append("text")
          .attr("class", "rv-cloud-more")
          .attr("data-hidden", hidden)
          .attr("x", layout.cloudWidth - INSET)
          .attr("y", row.height - INSET - 2)
          .attr("text-anchor", "end")
          .text(`+${hidden} more`)
          .on("mouseenter", (event: MouseEvent) => tooltip.show([`${hidden} words of cluster ${row.cluster} did not fit in its cloud`, "click to list all its words, strongest first"], event))
          .on("mouseleave", () => tooltip.hide())
          .on("click", (event: MouseEvent) => {
            event.stopPropagation();
            intents.listCluster(row.cluster);
          });
      }
      paint(store.get());
      done();
    };
    place();
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
