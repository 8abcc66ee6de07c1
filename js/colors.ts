// Colour scales that follow the notebook's theme. Sign: red for positive responses, blue for
// negative (ColorBrewer RdBu hues, colourblind-safe), and zero is the background itself, so a
// near-zero chip or a mixed-sign link fades into the page in a dark theme as in a light one and
// the strongest responses always stand out most. Resting chips: a purple ramp from the
// background. `setColorTheme` picks the ramps for the page behind the widget.
import { interpolatePurples, interpolateRdBu } from "d3-scale-chromatic";

type Rgb = [number, number, number];

// Colours are looked up in 257-step tables: recolouring 1,200 chips on hover must take
// well under a frame, and 257 steps are finer than the eye separates on a small square.
const STEPS = 256;
const WHITE: Rgb = [255, 255, 255];
// On a dark page the far ends are light: dark red and blue would vanish into the background.
const DARK_ENDS = { positive: [244, 109, 84] as Rgb, negative: [90, 165, 230] as Rgb, resting: [190, 170, 255] as Rgb };

const parse = (colour: string): Rgb => {
  const parts = colour.match(/\d+(\.\d+)?/g) ?? ["0", "0", "0"];
  return [Number(parts[0]), Number(parts[1]), Number(parts[2])];
};
const css = ([r, g, b]: Rgb): string => `rgb(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)})`;
const mix = (a: Rgb, b: Rgb, t: number): Rgb => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

/** Relative luminance (WCAG) of an sRGB colour, 0 (black) to 1 (white). */
export function luminance([r, g, b]: Rgb): number {
  const lin = (c: number): number => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of two colours, 1 to 21. */
export function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

let divergingTable: string[] = [];
let sequentialTable: string[] = [];
let rgbTable: Rgb[] = [];
let background: Rgb = WHITE;

/** Rebuild the scales for a page whose background is `page` (RGB 0–255): zero and rest are
 * that background; a light page gets RdBu and Purples, a dark one lighter ends. */
export function setColorTheme(page: Rgb): void {
  background = page;
  const dark = luminance(page) < 0.4;
  const centre = parse(interpolateRdBu(0.5));
  rgbTable = Array.from({ length: STEPS + 1 }, (_, i) => {
    const t = (2 * i) / STEPS - 1; // -1 .. 1
    if (!dark) {
      // RdBu's own ramp, its white centre moved onto the page's (near-white) background.
      const rdbu = parse(interpolateRdBu(1 - i / STEPS));
      const fade = 1 - Math.abs(t);
      return rdbu.map((c, k) => c + (page[k] - centre[k]) * fade) as Rgb;
    }
    return mix(page, t >= 0 ? DARK_ENDS.positive : DARK_ENDS.negative, Math.abs(t));
  });
  rgbTable = rgbTable.map((c) => c.map(Math.round) as Rgb);
  divergingTable = rgbTable.map(css);
  sequentialTable = Array.from({ length: STEPS + 1 }, (_, i) =>
    dark ? css(mix(page, DARK_ENDS.resting, 0.1 + (0.9 * i) / STEPS)) : interpolatePurples(0.1 + (0.85 * i) / STEPS),
  );
}
setColorTheme(WHITE);

/** The background the scales were built for. */
export const themeBackground = (): Rgb => background;

/** The page colour behind `el`: the first ancestor with an opaque background, else white. */
export function pageBackground(el: Element): Rgb {
  for (let node: Element | null = el; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    const parts = colour.match(/[\d.]+/g);
    if (parts && (parts.length < 4 || Number(parts[3]) > 0.5)) return [Number(parts[0]), Number(parts[1]), Number(parts[2])];
  }
  return WHITE;
}

/** Maps a signed value to a colour, clipping |value| at `clip`; red positive, blue negative. */
export function divergingColor(value: number, clip: number): string {
  const limit = clip > 0 ? clip : 1;
  const t = Math.max(-1, Math.min(1, value / limit));
  if (Number.isNaN(t)) return divergingTable[STEPS / 2];
  return divergingTable[Math.round(((t + 1) / 2) * STEPS)];
}

/** A clip value that keeps most cells readable: the given quantile of |values|, estimated from
 * an even sample of at most `sample` values (a full sort of 360k values costs a tenth of a second). */
export function robustClip(values: ArrayLike<number>, quantile = 0.98, sample = 50_000): number {
  const stride = Math.max(1, Math.floor(values.length / sample));
  const picked: number[] = [];
  for (let i = 0; i < values.length; i += stride) {
    const v = Math.abs(values[i]);
    if (Number.isFinite(v)) picked.push(v);
  }
  const magnitudes = Float64Array.from(picked);
  if (magnitudes.length === 0) return 1;
  magnitudes.sort();
  const index = Math.min(magnitudes.length - 1, Math.floor(quantile * (magnitudes.length - 1)));
  return magnitudes[index] > 0 ? magnitudes[index] : 1;
}

/** Resting chip colour: a ramp from the background to purple of a non-negative value, normalised by `max`. */
export function sequentialColor(value: number, max: number): string {
  const t = max > 0 ? Math.max(0, Math.min(1, value / max)) : 0;
  return sequentialTable[Math.round((Number.isNaN(t) ? 0 : t) * STEPS)];
}

/** divergingColor as numbers, for painting canvas pixels (the heatmap) without parsing strings. */
export function divergingRgb(value: number, clip: number): [number, number, number] {
  const limit = clip > 0 ? clip : 1;
  const t = Math.max(-1, Math.min(1, value / limit));
  if (Number.isNaN(t)) return rgbTable[STEPS / 2];
  return rgbTable[Math.round(((t + 1) / 2) * STEPS)];
}
