// Colour scales. Sign is shown with ColorBrewer's RdBu (colourblind-safe diverging):
// blue for negative responses, red for positive, white at zero.
import { interpolatePurples, interpolateRdBu } from "d3-scale-chromatic";

/** Maps a signed value to a colour, clipping |value| at `clip`. */
export function divergingColor(value: number, clip: number): string {
  const limit = clip > 0 ? clip : 1;
  const t = Math.max(-1, Math.min(1, value / limit));
  // interpolateRdBu runs red (0) -> blue (1); flip so positive is red.
  return interpolateRdBu(0.5 - t / 2);
}

/** Same mapping as RGB bytes, for canvas image data. */
export function divergingRgb(value: number, clip: number): [number, number, number] {
  const css = divergingColor(value, clip);
  const match = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(css);
  if (!match) throw new Error(`unexpected colour ${css}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** A clip value that keeps most cells readable: the given quantile of |values|. */
export function robustClip(values: ArrayLike<number>, quantile = 0.98): number {
  const magnitudes = Float64Array.from(values, (v) => Math.abs(v)).filter((v) => Number.isFinite(v));
  if (magnitudes.length === 0) return 1;
  magnitudes.sort();
  const index = Math.min(magnitudes.length - 1, Math.floor(quantile * (magnitudes.length - 1)));
  return magnitudes[index] > 0 ? magnitudes[index] : 1;
}

/** Resting chip colour: a light-to-dark purple ramp of a non-negative value, normalised by `max`. */
export function sequentialColor(value: number, max: number): string {
  const t = max > 0 ? Math.max(0, Math.min(1, value / max)) : 0;
  return interpolatePurples(0.1 + 0.85 * t);
}
