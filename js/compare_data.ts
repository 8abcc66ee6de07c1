// The comparison's data and linked state as pure functions (unit tested): the kernel's
// ComparisonPayload decoded with its shapes checked, the row slots that put matched clusters
// level, and how one shared state reads on each side.
import { schemeTableau10 } from "d3-scale-chromatic";
import { decode, type NdArray } from "./codecs";
import { MAX_PINNED_WORDS } from "./contract";
import type { ComparisonPayload } from "./payloads";

export type Side = 0 | 1;
export const SIDES: readonly Side[] = [0, 1];

export interface ComparisonData {
  k: [number, number];
  pairLeft: NdArray; // [P]
  pairRight: NdArray; // [P]
  overlap: NdArray; // [P]
  shared: NdArray; // [P]
  partner: [ArrayLike<number>, ArrayLike<number>]; // [k_l], [k_r]: the matched cluster across, -1 = none
  changed: [NdArray, NdArray]; // [N_l], [N_r]
  edges: NdArray; // [B + 1]
  histograms: Record<HistogramName, NdArray>; // each [2, B]
}

export const HISTOGRAMS = ["sparsity", "unsaturated_sparsity", "saturation"] as const;
export type HistogramName = (typeof HISTOGRAMS)[number];

function shaped(name: string, array: NdArray, shape: number[]): NdArray {
  if (array.shape.length !== shape.length || shape.some((n, i) => n >= 0 && n !== array.shape[i])) {
    throw new Error(`comparison ${name} has shape [${array.shape.join(", ")}], expected [${shape.map((n) => (n < 0 ? "*" : n)).join(", ")}]`);
  }
  return array;
}

/** Decodes one comparison; `nWords` are the words each side's view shows. */
export function decodeComparison(payload: ComparisonPayload, nWords: [number, number]): ComparisonData {
  const [kl, kr] = payload.k;
  const pairLeft = shaped("pairs.left", decode(payload.pairs.left), [-1]);
  const p = pairLeft.shape[0];
  const edges = shaped("histograms.edges", decode(payload.histograms.edges), [-1]);
  const bins = edges.shape[0] - 1;
  const histogram = (name: HistogramName): NdArray => shaped(`histograms.${name}`, decode(payload.histograms[name]), [2, bins]);
  return {
    k: [kl, kr],
    pairLeft,
    pairRight: shaped("pairs.right", decode(payload.pairs.right), [p]),
    overlap: shaped("pairs.overlap", decode(payload.pairs.overlap), [p]),
    shared: shaped("pairs.shared", decode(payload.pairs.shared), [p]),
    partner: [shaped("left_partner", decode(payload.left_partner), [kl]).data, shaped("right_partner", decode(payload.right_partner), [kr]).data],
    changed: [shaped("changed[0]", decode(payload.changed[0]), [nWords[0]]), shaped("changed[1]", decode(payload.changed[1]), [nWords[1]])],
    edges,
    histograms: { sparsity: histogram("sparsity"), unsaturated_sparsity: histogram("unsaturated_sparsity"), saturation: histogram("saturation") },
  };
}

/** Row slots of both sides: the left clusters in the left's order, each matched right cluster
 * level with its partner, then the right clusters without a partner (gaps on the left). */
export function alignSlots(leftOrder: ArrayLike<number>, rightOrder: ArrayLike<number>, leftPartner: ArrayLike<number>): [(number | null)[], (number | null)[]] {
  const left: (number | null)[] = [];
  const right: (number | null)[] = [];
  const placed = new Set<number>();
  for (const cluster of Array.from(leftOrder)) {
    const partner = leftPartner[cluster];
    left.push(cluster);
    right.push(partner >= 0 ? partner : null);
    if (partner >= 0) placed.add(partner);
  }
  for (const cluster of Array.from(rightOrder)) {
    if (placed.has(cluster)) continue;
    left.push(null);
    right.push(cluster);
  }
  return [left, right];
}

/** Pair index of every cluster of `side` (its row in `pairs`), -1 if unmatched. */
export function pairOf(data: ComparisonData, side: Side): Int32Array {
  const out = new Int32Array(data.k[side]).fill(-1);
  const clusters = side === 0 ? data.pairLeft.data : data.pairRight.data;
  clusters.forEach((cluster, pair) => {
    out[cluster] = pair;
  });
  return out;
}

const UNMATCHED = "#9e9e9e";

/** One colour per matched pair (Tableau 10, repeating beyond ten); grey when unmatched. */
export function pairColor(pair: number): string {
  return pair < 0 ? UNMATCHED : schemeTableau10[pair % schemeTableau10.length];
}

/** A cluster under the pointer or clicked, on the side where it happened. */
export interface ClusterRef {
  side: Side;
  cluster: number;
}

/** What the two sides share, by word text and by cluster of one side. */
export interface LinkedState {
  hoveredWord: string | null;
  pinnedWords: string[];
  hoveredCluster: ClusterRef | null;
  focusedCluster: ClusterRef | null;
}

export const initialLinked = (patch: Partial<LinkedState> = {}): LinkedState => ({
  hoveredWord: null,
  pinnedWords: [],
  hoveredCluster: null,
  focusedCluster: null,
  ...patch,
});

/** `ref` as seen on `side`: itself there, its matched partner across, null without one. */
export function clusterOnSide(ref: ClusterRef | null, side: Side, partner: [ArrayLike<number>, ArrayLike<number>]): number | null {
  if (ref === null) return null;
  if (ref.side === side) return ref.cluster;
  const across = partner[ref.side][ref.cluster];
  return across !== undefined && across >= 0 ? across : null;
}

/** Pin or unpin a word by text; the oldest pin drops out beyond the limit. */
export function toggleWord(pinned: string[], word: string): string[] {
  if (pinned.includes(word)) return pinned.filter((w) => w !== word);
  return [...pinned, word].slice(-MAX_PINNED_WORDS);
}

/** The same cluster clicked again clears the focus. */
export function toggleFocus(current: ClusterRef | null, next: ClusterRef): ClusterRef | null {
  return current && current.side === next.side && current.cluster === next.cluster ? null : next;
}
