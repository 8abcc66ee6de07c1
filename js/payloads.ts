// What the kernel sends: the twin of rnnvis_widget/view/_payloads.py, name for name.
// N: words shown, H: units, Q: quantiles (contract.quantile_percents), K: contexts per unit and
// sign, k: clusters, w: context width. js/tests/contract.test.ts decodes real payloads that
// tests/test_contract.py wrote, so a change on one side only fails there.
import type { EncodedArray } from "./codecs";

export interface WordsPart {
  text: string[];
  count: EncodedArray; // int32 [N]
  response: EncodedArray; // float32 [N, H]: mean response of every unit to each word
  quantiles: EncodedArray | null; // float16 [N, H, Q]; null: rv.analyze(..., display_words=0)
}

export interface UnitsPart {
  resting: EncodedArray; // float32 [H]: the chips' resting colour value (e.g. mean |Δ|)
}

export interface ContextsPart {
  tokens: string[]; // texts of the token ids used below
  window: number; // w, tokens each side of the centre
  value: EncodedArray; // float32 [H, 2, K]: top positive (0) and negative (1) responses; NaN = none
  ids: EncodedArray; // int32 [H, 2, K, 2w + 1] into `tokens`; -1 = outside the sequence
}

/** One layer/state/direction of an analysis; changes only when layer, state or direction change. */
export interface MainPayload {
  kind: "main";
  title: string;
  live: boolean; // false in a snapshot
  layers: string[];
  states: string[];
  directions: number;
  k_range: [number, number];
  resting_label: string;
  word_selection: string; // "frequent" | "strongest": how the words were chosen (trait word_selection)
  words_label: string; // the same in words, for the header
  words: WordsPart;
  units: UnitsPart;
  contexts: ContextsPart | null; // null: rv.analyze(..., top_contexts=0)
}

export interface ErrorPayload {
  kind: "error";
  message: string;
}

/** The `view` trait. */
export type ViewPayload = MainPayload | ErrorPayload;

/** One co-clustering of the main view's layer/state for a given k (`clusterings[String(k)]`). */
export interface ClusteringPayload {
  k: number;
  unit_cluster: EncodedArray; // int16 [H]
  unit_order: EncodedArray; // int32 [H]
  cluster_order: EncodedArray; // int16 [k]
  edges: EncodedArray; // float32 [k, k]: signed mean response of unit cluster i to word cluster j
  edge_strength: EncodedArray; // float32 [k, k]: the same blocks' mean |response|
  word_cluster: EncodedArray; // int16 [N] over the shown words, -1 = not clustered
  word_strength: EncodedArray; // float32 [N]
}

/** A view precomputed for a snapshot (`offline_views[slotKey(layer, state, direction)]`). */
export interface OfflineView {
  view: MainPayload;
  clusterings: Record<string, ClusteringPayload>;
  /** A bidirectional layer's other direction, for the same ks; empty for one direction. */
  other_direction_clusterings: Record<string, ClusteringPayload>;
}

/** The states of one layer/state/direction for one sentence (T: tokens, H: units). */
export interface SentenceStates {
  values: EncodedArray; // float32 [T, H]: the state right after token t (backward: still indexed by position)
  initial: EncodedArray; // float32 [H]: the state before the direction's first processed token
}

/** A classifier's prediction: C classes. */
export interface ClassPrediction {
  kind: "classes";
  labels: string[];
  final: EncodedArray; // float32 [C]: probabilities after the whole sentence
  per_step: EncodedArray | null; // float32 [T, C]: the prediction of each prefix, when the model gives one
}

/** A language model's prediction: the top 3 next tokens after each position. */
export interface NextTokenPrediction {
  kind: "next_tokens";
  tokens: string[][]; // [T][3]
  probs: EncodedArray; // float32 [T, 3]
}

export type Prediction = ClassPrediction | NextTokenPrediction;

/** One sentence run through the live model; its states arrive apart, once (SentenceStatesById). */
export interface SentencePayload {
  id: string; // names this run: its states are sentence_states[id]; new whenever a sentence is run again
  source: string; // what was typed, or the ids' token texts joined by spaces
  tokens: string[]; // vocabulary text of each token, [T]
  unknown: EncodedArray; // uint8 [T]: 1 where the typed word was not in the vocabulary
  prediction: Prediction | null;
}

/** The `sentence_states` trait: by sentence id, by slotKey(layer, state, direction), every one of
 * the analysis. The kernel sends a sentence's states once, when it runs it or when the browser
 * asks (`sentence_states_wanted`); a snapshot holds all of them. */
export type SentenceStatesById = Record<string, Record<string, SentenceStates>>;

/** The `sentence_view` trait. */
export interface SentenceViewPayload {
  kind: "sentences";
  live: boolean; // a live model can run new sentences
  disabled_reason: string | null; // why the text box is disabled
  error: string | null; // the last failure
  max_tokens: number;
  items: SentencePayload[]; // same order as the `sentences` trait
}

/** The `word_answer` trait (kernel → browser): where a searched word is, or why it is not drawn. */
export interface WordAnswer {
  query: string;
  word: string;
  count: number; // occurrences in the analysed corpus
  cluster: number | null; // its word cluster at the k on screen; null when not clustered
  shown: boolean; // among the words the view draws
  message: string;
}

/** The `open_context` trait (browser → kernel): open a top context's whole sequence as a
 * sentence; the kernel finds its corpus position and sets the trait back to null. */
export interface OpenContextRequest {
  layer: number; // index into the layers
  state: string;
  direction: number;
  unit: number;
  sign: number; // 0 positive, 1 negative context
  rank: number; // 0..K-1 among the unit's contexts of that sign
}

/** One value of the comparison widget's `sentence_slots` trait: what one side shows. */
export interface SideSlot {
  layer: number; // index into the side's layers
  state: string;
  direction: number; // 0 forward, 1 backward
  directions: number; // 2: a bidirectional layer
}

/** A comparison's matched word clusters, P pairs by decreasing overlap. */
export interface ComparisonPairs {
  left: EncodedArray; // int16 [P]
  right: EncodedArray; // int16 [P]
  overlap: EncodedArray; // float32 [P]: Jaccard overlap of the two clusters' words
  shared: EncodedArray; // int32 [P]: words in both
}

/** Units per bin of per-unit fractions, both sides on one set of B bins. */
export interface ComparisonHistograms {
  edges: EncodedArray; // float32 [B + 1] over [0, 1]
  sparsity: EncodedArray; // int32 [2, B]: left row, then right
  unsaturated_sparsity: EncodedArray; // int32 [2, B]
  saturation: EncodedArray; // int32 [2, B]
}

/** One value of the comparison widget's `comparisons` trait (by String(n_clusters)). N_l, N_r:
 * the words each side's view shows; k_l, k_r: each side's clusters. */
export interface ComparisonPayload {
  kind: "comparison";
  labels: [string, string];
  slots: [string, string]; // layer, state and units of each side
  statement: string;
  on: string; // "same" or "shared"
  n_compared: number;
  k: [number, number];
  numbers: Record<string, [number | null, number | null]>; // null: undefined on that side
  definitions: Record<string, string>;
  pairs: ComparisonPairs;
  left_partner: EncodedArray; // int16 [k_l]: matched right cluster, -1 = none
  right_partner: EncodedArray; // int16 [k_r]: matched left cluster, -1 = none
  changed: [EncodedArray, EncodedArray]; // uint8 [N_l], [N_r]: the word's cluster is not matched with its cluster across
  histograms: ComparisonHistograms;
}
