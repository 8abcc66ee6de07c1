// The main view's data: what the kernel sends (payload types) decoded into typed arrays once.
import { decode, type EncodedArray, type NdArray } from "./codecs";

/** One layer/state of an analysis; changes only when layer, state or direction change. */
export interface MainPayload {
  kind: "main";
  title: string;
  live: boolean;
  layers: string[];
  states: string[];
  directions: number;
  k_range: [number, number];
  resting_label: string;
  words: {
    text: string[];
    count: EncodedArray; // int32 [N]
    response: EncodedArray; // float [N, H]: mean response of every unit to each display word
    quantiles: EncodedArray | null; // float [N, H, 5]: 9/25/50/75/91 % quantiles
  };
  units: {
    resting: EncodedArray; // float [H]: the chips' resting colour value (e.g. mean |Δ|)
  };
  contexts: {
    tokens: string[]; // texts of the token ids used below
    window: number; // tokens each side of the centre
    value: EncodedArray; // float [H, 2, K]: top positive (0) and negative (1) responses; NaN = none
    ids: EncodedArray; // int32 [H, 2, K, 2 * window + 1] into `tokens`; -1 = outside the sequence
  } | null;
}

/** One co-clustering of that layer/state for a given k. */
export interface ClusteringPayload {
  k: number;
  unit_cluster: EncodedArray; // int [H]
  unit_order: EncodedArray; // int [H]
  cluster_order: EncodedArray; // int [k]
  edges: EncodedArray; // float [k, k]: signed mean response of unit cluster i to word cluster j
  edge_strength: EncodedArray; // float [k, k]: the same blocks' mean |response|
  word_cluster: EncodedArray; // int [N] over display words, -1 = not clustered
  word_strength: EncodedArray; // float [N]
}

export interface MainData {
  title: string;
  live: boolean;
  words: string[];
  nWords: number;
  nUnits: number;
  counts: NdArray;
  response: NdArray;
  quantiles: NdArray | null;
  resting: NdArray;
  restingLabel: string;
  contexts: {
    tokens: string[];
    window: number;
    perSign: number;
    value: NdArray;
    ids: NdArray;
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

export function decodeMain(payload: MainPayload): MainData {
  const response = decode(payload.words.response);
  const [nWords, nUnits] = response.shape;
  if (nWords !== payload.words.text.length) {
    throw new Error(`response has ${nWords} rows for ${payload.words.text.length} words`);
  }
  const contexts = payload.contexts;
  const contextValue = contexts ? decode(contexts.value) : null;
  return {
    title: payload.title,
    live: payload.live,
    words: payload.words.text,
    nWords,
    nUnits,
    counts: decode(payload.words.count),
    response,
    quantiles: payload.words.quantiles ? decode(payload.words.quantiles) : null,
    resting: decode(payload.units.resting),
    restingLabel: payload.resting_label,
    contexts:
      contexts && contextValue
        ? {
            tokens: contexts.tokens,
            window: contexts.window,
            perSign: contextValue.shape[2],
            value: contextValue,
            ids: decode(contexts.ids),
          }
        : null,
  };
}

export function decodeClustering(payload: ClusteringPayload): Clustering {
  return {
    k: payload.k,
    unitCluster: decode(payload.unit_cluster),
    unitOrder: decode(payload.unit_order),
    clusterOrder: decode(payload.cluster_order),
    edges: decode(payload.edges),
    edgeStrength: decode(payload.edge_strength),
    wordCluster: decode(payload.word_cluster),
    wordStrength: decode(payload.word_strength),
  };
}

/** Response of every unit to word `word`, a view into the matrix (no copy). */
export function wordResponse(data: MainData, word: number): ArrayLike<number> {
  return data.response.data.subarray(word * data.nUnits, (word + 1) * data.nUnits);
}

/** The five quantiles of unit `unit`'s response to word `word`, or null when not sent. */
export function quantilesOf(data: MainData, word: number, unit: number): number[] | null {
  if (!data.quantiles) return null;
  const offset = (word * data.nUnits + unit) * 5;
  return Array.from(data.quantiles.data.subarray(offset, offset + 5));
}
