// Geometry of the main view, as pure functions (unit tested): one row per paired cluster,
// memory chips on the left, links in the middle, the word cloud on the right.
import type { Clustering } from "../main_data";

export interface RowLayout {
  cluster: number; // the paired cluster id shown in this row
  y: number;
  height: number;
  units: number[]; // units of the cluster in display order
}

export interface Layout {
  chipsX: number; // left edge of the chip column
  cloudX: number; // left edge of the cloud column
  chipSize: number;
  chipGap: number;
  chipCols: number;
  chipsWidth: number;
  linksWidth: number;
  cloudWidth: number;
  width: number;
  height: number;
  rows: RowLayout[];
  rowOfCluster: Map<number, number>;
  chipX: Float32Array; // per unit, left edge
  chipY: Float32Array; // per unit, top edge
}

/** Largest value, at least 0 (resting values, strengths and weights are magnitudes). */
export function maxOf(values: ArrayLike<number>): number {
  let most = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > most) most = values[i];
  return most;
}

export const ROW_GAP = 8;
export const BLOCK_PADDING = 6;
export const MIN_ROW_HEIGHT = 96;

export function chipSizeFor(nUnits: number): number {
  if (nUnits <= 400) return 10;
  if (nUnits <= 1500) return 8;
  return 6;
}

/** What a comparison changes: a mirrored side (clouds left, chips right), narrower chip
 * blocks, and rows placed in given slots so matched clusters of two sides sit level. */
export interface LayoutOptions {
  mirror?: boolean;
  maxChipCols?: number;
  slots?: (number | null)[]; // clusters top to bottom; null leaves a gap (filled on the other side)
  slotHeights?: number[]; // least height of each slot
}

export function computeLayout(clustering: Clustering, nUnits: number, cloudWidth = 320, linksWidth = 150, options: LayoutOptions = {}): Layout {
  const chipSize = chipSizeFor(nUnits);
  const chipGap = 2;
  const k = clustering.k;
  const chipCols = Math.max(6, Math.min(options.maxChipCols ?? 24, Math.round(Math.sqrt(nUnits / k) * 1.6)));
  const chipsWidth = chipCols * (chipSize + chipGap) - chipGap + 2 * BLOCK_PADDING;
  const chipsX = options.mirror ? cloudWidth + linksWidth : 0;
  const cloudX = options.mirror ? 0 : chipsWidth + linksWidth;

  const unitsOf = new Map<number, number[]>();
  for (let c = 0; c < k; c++) unitsOf.set(c, []);
  for (const unit of clustering.unitOrder.data) {
    unitsOf.get(clustering.unitCluster.data[unit])?.push(unit);
  }

  const chipX = new Float32Array(nUnits);
  const chipY = new Float32Array(nUnits);
  const rows: RowLayout[] = [];
  const rowOfCluster = new Map<number, number>();
  let y = 0;
  const slots = options.slots ?? Array.from(clustering.clusterOrder.data);
  slots.forEach((cluster, slot) => {
    const least = Math.max(MIN_ROW_HEIGHT, options.slotHeights?.[slot] ?? 0);
    if (cluster === null) {
      y += least + ROW_GAP;
      return;
    }
    const units = unitsOf.get(cluster) ?? [];
    const chipRows = Math.max(1, Math.ceil(units.length / chipCols));
    const blockHeight = chipRows * (chipSize + chipGap) - chipGap + 2 * BLOCK_PADDING;
    const height = Math.max(least, blockHeight);
    units.forEach((unit, i) => {
      chipX[unit] = chipsX + BLOCK_PADDING + (i % chipCols) * (chipSize + chipGap);
      chipY[unit] = y + BLOCK_PADDING + Math.floor(i / chipCols) * (chipSize + chipGap);
    });
    rowOfCluster.set(cluster, rows.length);
    rows.push({ cluster, y, height, units });
    y += height + ROW_GAP;
  });
  return {
    chipsX,
    cloudX,
    chipSize,
    chipGap,
    chipCols,
    chipsWidth,
    linksWidth,
    cloudWidth,
    width: chipsWidth + linksWidth + cloudWidth,
    height: Math.max(0, y - ROW_GAP),
    rows,
    rowOfCluster,
    chipX,
    chipY,
  };
}

/** The layout at full size when it fits `available` px, else with a narrower link gap and cloud
 * column, then fewer chips a row: the picture never scrolls sideways from 600 px up. */
export function fittedLayout(clustering: Clustering, nUnits: number, available: number): Layout {
  const full = computeLayout(clustering, nUnits);
  if (full.width <= available) return full;
  const links = 80;
  const narrowCloud = 170;
  const cloud = Math.max(narrowCloud, Math.min(320, available - full.chipsWidth - links));
  const narrower = computeLayout(clustering, nUnits, cloud, links);
  if (narrower.width <= available) return narrower;
  const perChip = narrower.chipSize + narrower.chipGap;
  const cols = Math.max(6, Math.floor((available - narrowCloud - links - 2 * BLOCK_PADDING + narrower.chipGap) / perChip));
  return computeLayout(clustering, nUnits, narrowCloud, links, { maxChipCols: cols });
}

export interface Link {
  unitCluster: number;
  wordCluster: number;
  weight: number; // signed mean response: the colour
  strength: number; // mean |response|: the width and the filter
  path: string;
}

/** Links whose strength reaches `filter` (0..1) of the strongest, as cubic Bézier paths.
 * Strength, not |signed mean|: a cluster pair may hold units of both signs, whose signed
 * responses cancel although the pair is tightly linked. */
export function visibleLinks(layout: Layout, clustering: Clustering, filter: number): Link[] {
  const k = clustering.k;
  const weights = clustering.edges.data;
  const strengths = clustering.edgeStrength.data;
  const strongest = maxOf(strengths);
  if (strongest === 0) return [];
  // From the chips' inner edge to the cloud's, whichever side each is on.
  const x0 = layout.cloudX > layout.chipsX ? layout.chipsX + layout.chipsWidth : layout.chipsX;
  const x1 = layout.cloudX > layout.chipsX ? layout.cloudX : layout.cloudX + layout.cloudWidth;
  const links: Link[] = [];
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const weight = weights[i * k + j];
      const strength = strengths[i * k + j];
      if (strength === 0 || strength < filter * strongest) continue;
      const from = layout.rows[layout.rowOfCluster.get(i) ?? 0];
      const to = layout.rows[layout.rowOfCluster.get(j) ?? 0];
      const y0 = from.y + from.height / 2;
      const y1 = to.y + to.height / 2;
      const mid = (x0 + x1) / 2;
      links.push({ unitCluster: i, wordCluster: j, weight, strength, path: `M${x0},${y0}C${mid},${y0} ${mid},${y1} ${x1},${y1}` });
    }
  }
  // Strong links drawn last so they sit on top.
  return links.sort((a, b) => a.strength - b.strength);
}

/** Display words of one word cluster, strongest first, at most `limit`. */
export function cloudWords(clustering: Clustering, cluster: number, limit: number): number[] {
  const words: number[] = [];
  const labels = clustering.wordCluster.data;
  for (let w = 0; w < labels.length; w++) if (labels[w] === cluster) words.push(w);
  const strength = clustering.wordStrength.data;
  words.sort((a, b) => strength[b] - strength[a] || a - b);
  return words.slice(0, limit);
}

/** Font size in px by strength relative to the strongest word shown anywhere. */
export function fontSize(strength: number, strongest: number, min = 10, max = 26): number {
  if (strongest <= 0) return min;
  return min + (max - min) * Math.sqrt(Math.max(0, strength) / strongest);
}
