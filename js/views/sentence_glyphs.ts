// One sentence drawn as glyphs (DESIGN §4): per token one column per unit cluster, P/n up and
// N/n down from a centre line on the y-scale all sentences share; the change since the previous
// token overlaid at the end of each bar (filled when the magnitude grew, outlined when it
// shrank); under the gap between two tokens a ruler of how much of the old memory each cluster
// kept; the token text under its glyph. Each bar kind of a whole row is one path (a token keeps
// only its label and hit area), so ten sentences of fifty tokens stay under two thousand
// elements and a k change redraws them quickly.
import { pointer, type Selection } from "d3-selection";
import { GAP, HALF_HEIGHT, fitLabel, hitAt, labelChars, rowWidth, tokenX, type TokenGeometry } from "../sentence_layout";
import { visibleToken, type Glyph, type SentenceData } from "../sentence_data";

export const TOP = 4;
export const CENTRE = TOP + HALF_HEIGHT;
export const KEPT_Y = CENTRE + HALF_HEIGHT + 6;
export const KEPT_HEIGHT = 9;
export const LABEL_Y = KEPT_Y + KEPT_HEIGHT + 13;
export const GLYPH_ROW_HEIGHT = LABEL_Y + 6;
/** Room for the other direction's strip of a bidirectional layer, under the token texts. */
export const OTHER_HEIGHT = 16;

/** The other direction of a bidirectional layer, aligned per token: its mean |response|. */
export interface OtherDirection {
  name: string; // "backward" or "forward"
  values: Float64Array; // [T]
  max: number; // shared by every sentence
}

export function glyphRowHeight(other: boolean): number {
  return GLYPH_ROW_HEIGHT + (other ? OTHER_HEIGHT + 2 : 0);
}

export interface GlyphRow {
  index: number; // the sentence's index in the `sentences` trait
  sentence: SentenceData;
  glyph: Glyph;
  geometry: TokenGeometry;
  extent: number; // |value| at HALF_HEIGHT: one y-scale for every token of every sentence
  columns: number[]; // cluster label of each column, in the main view's cluster order
  backward: boolean; // the previous token of t is t + 1
  other: OtherDirection | null;
}

export interface RowEvents {
  hover(token: number, column: number, event: MouseEvent): void;
  leave(): void;
  click(token: number): void;
}

type SvgSelection = Selection<SVGSVGElement, unknown, null, undefined>;

const rect = (x: number, y0: number, y1: number, width: number): string => {
  const top = Math.min(y0, y1);
  const height = Math.abs(y1 - y0);
  return height < 0.25 ? "" : `M${x},${top}h${width}v${height}h${-width}Z`;
};

type BarKind = "pos-base" | "pos-grow" | "pos-shrink" | "neg-base" | "neg-grow" | "neg-shrink";

/** Adds token t's bars, at x offset `left`, to the row's six paths: base, grown and shrunk part
 * of P (up) and of N (down). */
function addBars(paths: Record<BarKind, string>, row: GlyphRow, t: number, left: number): void {
  const { glyph, geometry, extent, columns } = row;
  const y = (v: number): number => CENTRE - (v / extent) * HALF_HEIGHT;
  const inset = Math.min(1.5, geometry.column * 0.15);
  const width = Math.max(1, geometry.column - 2 * inset);
  columns.forEach((cluster, j) => {
    const i = t * glyph.k + cluster;
    const x = left + j * geometry.column + inset;
    const p = glyph.positive[i];
    const pBefore = p - glyph.positiveChange[i];
    paths["pos-base"] += rect(x, y(Math.min(p, pBefore)), CENTRE, width);
    paths[p >= pBefore ? "pos-grow" : "pos-shrink"] += rect(x, y(pBefore), y(p), width);
    const n = glyph.negative[i];
    const nBefore = n - glyph.negativeChange[i];
    paths["neg-base"] += rect(x, y(Math.max(n, nBefore)), CENTRE, width);
    paths[n <= nBefore ? "neg-grow" : "neg-shrink"] += rect(x, y(nBefore), y(n), width);
  });
}

/** Adds the kept-memory ruler of the transition into token t (one cell per column, at x
 * offset `left`) to the row's frame and fill paths. */
function addKept(ruler: { frame: string; fill: string }, row: GlyphRow, t: number, left: number): void {
  const { glyph, geometry, columns } = row;
  columns.forEach((cluster, j) => {
    const kept = glyph.kept[t * glyph.k + cluster];
    if (!Number.isFinite(kept)) return;
    const x = left + j * geometry.column + 0.5;
    const width = Math.max(1, geometry.column - 1);
    ruler.frame += `M${x},${KEPT_Y}h${width}v${KEPT_HEIGHT}h${-width}Z`;
    ruler.fill += rect(x, KEPT_Y + KEPT_HEIGHT * (1 - kept), KEPT_Y + KEPT_HEIGHT, width);
  });
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element with attributes; plain DOM, because a row of glyphs is thousands of them and
 * this is several times faster than d3's append chain. */
function svgElement(tag: string, attributes: Record<string, string | number>): SVGElement {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

export function drawGlyphRow(svg: SvgSelection, row: GlyphRow, events: RowEvents): void {
  const { sentence, geometry } = row;
  const nTokens = sentence.tokens.length;
  const last = Math.min(nTokens, geometry.end);
  const width = rowWidth(geometry, nTokens);
  const node = svg.node();
  if (!node) return;
  node.replaceChildren();
  const height = glyphRowHeight(row.other !== null);
  svg.attr("width", width).attr("height", height).attr("data-columns", geometry.k);
  const fragment = document.createDocumentFragment();

  // Faint bands behind every other column, so a column can be followed from token to token.
  let bands = "";
  for (let t = geometry.start; t < last; t++) {
    for (let j = 1; j < geometry.k; j += 2) bands += `M${tokenX(geometry, t) + j * geometry.column},${TOP}h${geometry.column}v${2 * HALF_HEIGHT}h${-geometry.column}Z`;
  }
  fragment.appendChild(svgElement("path", { class: "rv-column-bands", d: bands }));
  fragment.appendChild(svgElement("line", { class: "rv-centre", x1: 0, x2: width, y1: CENTRE, y2: CENTRE }));

  const chars = labelChars(geometry.slot);
  // The ruler of t sits under the gap between t and the token read before it.
  const rulerShift = row.backward ? geometry.glyph + GAP / 2 - geometry.glyph / 2 : -GAP / 2 - geometry.glyph / 2;
  const bars: Record<BarKind, string> = { "pos-base": "", "pos-grow": "", "pos-shrink": "", "neg-base": "", "neg-grow": "", "neg-shrink": "" };
  const ruler = { frame: "", fill: "" };
  for (let t = geometry.start; t < last; t++) {
    addBars(bars, row, t, tokenX(geometry, t));
    addKept(ruler, row, t, tokenX(geometry, t) + rulerShift);
  }
  for (const [kind, d] of Object.entries(bars)) if (d) fragment.appendChild(svgElement("path", { class: `rv-bar rv-${kind}`, d }));
  if (ruler.frame) {
    const kept = svgElement("g", { class: "rv-kept" });
    kept.appendChild(svgElement("path", { class: "rv-kept-frame", d: ruler.frame }));
    kept.appendChild(svgElement("path", { class: "rv-kept-fill", d: ruler.fill }));
    fragment.appendChild(kept);
  }
  for (let t = geometry.start; t < last; t++) {
    const g = svgElement("g", { class: "rv-glyph", "data-token": t, transform: `translate(${tokenX(geometry, t)},0)` });
    const unknown = sentence.unknown[t] === 1;
    const label = svgElement("text", { class: unknown ? "rv-token-label rv-unknown" : "rv-token-label", x: geometry.glyph / 2, y: LABEL_Y, "text-anchor": "middle" });
    label.textContent = fitLabel(visibleToken(sentence.tokens[t]), chars);
    if (unknown) {
      const mark = svgElement("tspan", { class: "rv-unknown-mark" });
      mark.textContent = "?";
      label.appendChild(mark);
    }
    g.appendChild(label);
    if (row.other) {
      const size = row.other.max > 0 ? (OTHER_HEIGHT * row.other.values[t]) / row.other.max : 0;
      g.appendChild(svgElement("rect", { class: "rv-other-direction", x: geometry.glyph * 0.2, y: GLYPH_ROW_HEIGHT + OTHER_HEIGHT - size, width: geometry.glyph * 0.6, height: size }));
    }
    g.appendChild(svgElement("rect", { class: "rv-token-hit", "data-token": t, x: -GAP / 2, y: 0, width: geometry.slot, height }));
    fragment.appendChild(g);
  }
  node.appendChild(fragment);

  // One set of listeners for the whole row: the hit rectangle under the pointer names the token.
  const tokenOf = (event: Event): number | null => {
    const target = event.target as Element | null;
    const hit = target?.classList.contains("rv-token-hit") ? target : null;
    return hit ? Number(hit.getAttribute("data-token")) : null;
  };
  let inside: number | null = null;
  node.addEventListener("mousemove", (event) => {
    const t = tokenOf(event);
    if (t === null) {
      if (inside !== null) events.leave();
      inside = null;
      return;
    }
    inside = t;
    events.hover(t, columnUnder(row, t, event, node), event);
  });
  node.addEventListener("mouseleave", () => {
    inside = null;
    events.leave();
  });
  node.addEventListener("click", (event) => {
    const t = tokenOf(event);
    if (t !== null) events.click(t);
  });
}

/** The cluster column of token t under the pointer; in the gap beside a glyph, the nearest one. */
function columnUnder(row: GlyphRow, t: number, event: MouseEvent, svg: SVGSVGElement | null): number {
  const { geometry } = row;
  const [x] = pointer(event, svg);
  const hit = hitAt(geometry, x, row.sentence.tokens.length);
  if (hit && hit.token === t) return hit.column;
  const within = x - tokenX(geometry, t);
  return Math.max(0, Math.min(geometry.k - 1, Math.floor(within / geometry.column)));
}
