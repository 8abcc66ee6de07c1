// Geometry of the sentence view, as pure functions (unit tested): where each token's glyph sits,
// how wide a cluster column is, which token range is shown, and what a pointer position means.

/** Space between two glyphs; the kept-memory ruler of the transition sits under it. */
export const GAP = 14;
/** Height of the glyph above and below the centre line. */
export const HALF_HEIGHT = 46;
/** A zoomed column never gets wider than this: past it the glyph only grows, it says no more. */
export const MAX_COLUMN = 40;
/** Narrowest column of a zoomed range that still shows a bar. */
export const MIN_COLUMN = 2;

export interface TokenGeometry {
  k: number;
  column: number; // width of one cluster column
  glyph: number; // k * column
  slot: number; // glyph + GAP: distance between two tokens
  start: number; // first token shown
  end: number; // one past the last token shown (of the longest sentence)
  margin: number; // left and right of the first and last glyph: room for their rulers
}

/** Column width at rest: narrower as k grows, so a token's glyph stays about the same width. */
export function restingColumn(k: number): number {
  return Math.max(4, Math.min(12, Math.floor(84 / k)));
}

/** The token range shown: all of [0, longest) or the zoomed part of it, clipped to it. */
export function shownRange(range: [number, number] | null, longest: number): [number, number] {
  if (!range) return [0, longest];
  const start = Math.max(0, Math.min(range[0], longest - 1));
  const end = Math.max(start + 1, Math.min(range[1], longest));
  return [start, end];
}

/** Glyph geometry for k clusters and the longest sentence; a zoomed range is fitted to
 * `visible` pixels (columns of 2 to MAX_COLUMN px; a range too long even at 2 px scrolls). */
export function tokenGeometry(k: number, longest: number, range: [number, number] | null, visible: number): TokenGeometry {
  const [start, end] = shownRange(range, Math.max(1, longest));
  let column = restingColumn(k);
  if (range) {
    // n tokens and the two half-slot margins fill `visible`: (n + 1) slots.
    const fit = (visible / (end - start + 1) - GAP) / k;
    column = Math.max(MIN_COLUMN, Math.min(MAX_COLUMN, fit));
  }
  const glyph = k * column;
  const slot = glyph + GAP;
  return { k, column, glyph, slot, start, end, margin: slot / 2 };
}

/** Left edge of token t's glyph. */
export function tokenX(geometry: TokenGeometry, t: number): number {
  return geometry.margin + (t - geometry.start) * geometry.slot;
}

/** Width of a row of `nTokens` tokens (clipped to the shown range). */
export function rowWidth(geometry: TokenGeometry, nTokens: number): number {
  const shown = Math.max(0, Math.min(nTokens, geometry.end) - geometry.start);
  return 2 * geometry.margin + shown * geometry.slot;
}

/** The token and cluster column under x (row coordinates); null in a gap or outside the row. */
export function hitAt(geometry: TokenGeometry, x: number, nTokens: number): { token: number; column: number } | null {
  const offset = x - geometry.margin;
  if (offset < 0) return null;
  const token = geometry.start + Math.floor(offset / geometry.slot);
  if (token >= Math.min(nTokens, geometry.end)) return null;
  const within = offset - (token - geometry.start) * geometry.slot;
  if (within >= geometry.glyph) return null;
  return { token, column: Math.min(geometry.k - 1, Math.floor(within / geometry.column)) };
}

/** Shortens a label to `maxChars` characters (code points), ending in "…" when cut. */
export function fitLabel(text: string, maxChars: number): string {
  const chars = Array.from(text);
  if (chars.length <= maxChars) return text;
  return `${chars.slice(0, Math.max(1, maxChars - 1)).join("")}…`;
}

/** Characters of an 11 px label that fit under a glyph slot. */
export function labelChars(slot: number): number {
  return Math.max(2, Math.floor((slot - 2) / 6.5));
}

/** The token range a brush from x0 to x1 (pixels of an overview `width` wide over `longest`
 * tokens) selects, [start, end); null for a click (under one token wide), which resets. */
export function brushRange(x0: number, x1: number, width: number, longest: number): [number, number] | null {
  if (width <= 0 || longest <= 0) return null;
  const perToken = width / longest;
  const lo = Math.max(0, Math.min(x0, x1));
  const hi = Math.min(width, Math.max(x0, x1));
  if (hi - lo < perToken) return null;
  const start = Math.max(0, Math.min(longest - 1, Math.floor(lo / perToken)));
  const end = Math.max(start + 1, Math.min(longest, Math.ceil(hi / perToken)));
  return start === 0 && end === longest ? null : [start, end];
}
