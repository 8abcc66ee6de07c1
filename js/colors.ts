// Colour scales. Sign is shown with ColorBrewer's RdBu (colourblind-safe diverging):
// blue for negative responses, red for positive, white at zero.
import { interpolatePurples, interpolateRdBu } from "d3-scale-chromatic";

// Colours are looked up in 257-step tables: recolouring 1,200 chips on hover must take
// well under a frame, and 257 steps are finer than the eye separates on a small square.
const STEPS = 256;
const divergingTable = Array.from({ length: STEPS + 1 }, (_, i) => interpolateRdBu(1 - i / STEPS));
const sequentialTable = Array.from({ length: STEPS + 1 }, (_, i) => interpolatePurples(0.1 + (0.85 * i) / STEPS));

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

/** Resting chip colour: a light-to-dark purple ramp of a non-negative value, normalised by `max`. */
export function sequentialColor(value: number, max: number): string {
  const t = max > 0 ? Math.max(0, Math.min(1, value / max)) : 0;
  return sequentialTable[Math.round((Number.isNaN(t) ? 0 : t) * STEPS)];
}

const rgbTable: [number, number, number][] = divergingTable.map((colour) => {
  const parts = colour.match(/\d+/g) ?? ["0", "0", "0"];
  return [Number(parts[0]), Number(parts[1]), Number(parts[2])];
});

/** divergingColor as numbers, for painting canvas pixels (the heatmap) without parsing strings. */
export function divergingRgb(value: number, clip: number): [number, number, number] {
  const limit = clip > 0 ? clip : 1;
  const t = Math.max(-1, Math.min(1, value / limit));
  if (Number.isNaN(t)) return rgbTable[STEPS / 2];
  return rgbTable[Math.round(((t + 1) / 2) * STEPS)];
}
