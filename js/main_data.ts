// The main view's data: the kernel's payloads (js/payloads.ts) decoded into typed arrays once,
// with every shape checked against the others so a payload that breaks the contract fails here,
// with a message, rather than as a wrong drawing.
import { decode, type EncodedArray, type NdArray } from "./codecs";
import { QUANTILE_PERCENTS } from "./contract";
import type { ClusteringPayload, MainPayload } from "./payloads";

export interface MainData {
  title: string;
  live: boolean;
  words: string[];
  nWords: number;
  nUnits: number;
  counts: NdArray; // [N]
  response: NdArray; // [N, H]
  quantiles: NdArray | null; // [N, H, Q]
  resting: NdArray; // [H]
  restingLabel: string;
  contexts: {
    tokens: string[];
    window: number;
    perSign: number; // K
    value: NdArray; // [H, 2, K]
    ids: NdArray; // [H, 2, K, 2 * window + 1]
  } | null;
}

export interface Clustering {
  k: number;
  unitCluster: NdArray;
  unitOrder: NdArray;
  clusterOrder: NdArray;
  edges: NdArray;
  edgeStrength: NdArray;
  wordCluster: NdArray;
  wordStrength: NdArray;
}

/** Decodes `encoded` and checks its shape; null entries in `shape` accept any length. */
function decodeShaped(name: string, encoded: EncodedArray, shape: (number | null)[]): NdArray {
  const array = decode(encoded);
  const fits = array.shape.length === shape.length && shape.every((n, i) => n === null || n === array.shape[i]);
  if (!fits) {
    const wanted = shape.map((n) => (n === null ? "*" : String(n))).join(", ");
    throw new Error(`${name} has shape [${array.shape.join(", ")}], expected [${wanted}]`);
  }
  return array;
}

export function decodeMain(payload: MainPayload): MainData {
  const response = decodeShaped("words.response", payload.words.response, [payload.words.text.length, null]);
  const [nWords, nUnits] = response.shape;
  const quantiles = payload.words.quantiles;
  const contexts = payload.contexts;
  const value = contexts ? decodeShaped("contexts.value", contexts.value, [nUnits, 2, null]) : null;
  return {
    title: payload.title,
    live: payload.live,
    words: payload.words.text,
    nWords,
    nUnits,
    counts: decodeShaped("words.count", payload.words.count, [nWords]),
    response,
    quantiles: quantiles ? decodeShaped("words.quantiles", quantiles, [nWords, nUnits, QUANTILE_PERCENTS.length]) : null,
    resting: decodeShaped("units.resting", payload.units.resting, [nUnits]),
    restingLabel: payload.resting_label,
    contexts:
      contexts && value
        ? {
            tokens: contexts.tokens,
            window: contexts.window,
            perSign: value.shape[2],
            value,
            ids: decodeShaped("contexts.ids", contexts.ids, [nUnits, 2, value.shape[2], 2 * contexts.window + 1]),
          }
        : null,
  };
}

/** Decodes one clustering; `data` (the main view it belongs to) fixes the units and words. */
export function decodeClustering(payload: ClusteringPayload, data: Pick<MainData, "nUnits" | "nWords">): Clustering {
  const { k } = payload;
  return {
    k,
    unitCluster: decodeShaped("unit_cluster", payload.unit_cluster, [data.nUnits]),
    unitOrder: decodeShaped("unit_order", payload.unit_order, [data.nUnits]),
    clusterOrder: decodeShaped("cluster_order", payload.cluster_order, [k]),
    edges: decodeShaped("edges", payload.edges, [k, k]),
    edgeStrength: decodeShaped("edge_strength", payload.edge_strength, [k, k]),
    wordCluster: decodeShaped("word_cluster", payload.word_cluster, [data.nWords]),
    wordStrength: decodeShaped("word_strength", payload.word_strength, [data.nWords]),
  };
}

/** Response of every unit to word `word`, a view into the matrix (no copy). */
export function wordResponse(data: MainData, word: number): ArrayLike<number> {
  return data.response.data.subarray(word * data.nUnits, (word + 1) * data.nUnits);
}

/** The quantiles (at QUANTILE_PERCENTS) of unit `unit`'s response to word `word`, or null when
 * the analysis kept none. */
export function quantilesOf(data: MainData, word: number, unit: number): number[] | null {
  if (!hasQuantiles(data, word)) return null;
  const q = QUANTILE_PERCENTS.length;
  const offset = (word * data.nUnits + unit) * q;
  return Array.from((data.quantiles as NdArray).data.subarray(offset, offset + q));
}

/** Whether the analysis kept quantiles for shown word `word`: not for any when it kept none, and
 * not for a strong word outside its display words (the kernel sends that row as NaN). */
export function hasQuantiles(data: MainData, word: number): boolean {
  if (!data.quantiles || word < 0) return false;
  return !Number.isNaN(data.quantiles.data[word * data.nUnits * QUANTILE_PERCENTS.length]);
}
