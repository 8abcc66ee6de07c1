// The widget's model, typed by its traits with @anywidget/types. A live kernel hands render()
// an AnyModel<Traits>; a snapshot hands it js/snapshot.ts's SnapshotModel, which implements the
// part of that API our views use.
import type { AnyModel } from "@anywidget/types";
import type { ClusteringPayload, ComparisonPayload, OfflineView, OpenContextRequest, SentenceStatesById, SentenceViewPayload, SideSlot, ViewPayload, WordAnswer } from "./payloads";

/** Every synced trait of rnnvis_widget/view/widget.py `RNNVis`, as the browser receives it. */
export interface Traits {
  view: ViewPayload | null;
  clusterings: Record<string, ClusteringPayload>; // keyed by String(k)
  /** A bidirectional layer: the other direction's clustering for the same k (sentence view's
   * second glyph row); empty for a layer with one direction. */
  other_direction_clusterings: Record<string, ClusteringPayload>;
  n_clusters: number;
  layer: number;
  state: string;
  direction: number;
  n_words: number;
  /** How the view chooses its words: "frequent" or "strongest" (responses). */
  word_selection: string;
  link_filter: number;
  color_clip: number;
  selected_words: string[];
  selected_units: number[];
  /** Sentences shown in the sentence view: typed text or token ids; the browser adds and removes. */
  sentences: SentenceEntry[];
  /** The sentences run through the live model (kernel → browser); null before the first. */
  sentence_view: SentenceViewPayload | null;
  /** States of sentences the kernel ran since it last sent them (kernel → browser; each once). */
  sentence_states: SentenceStatesById;
  /** Ids of sentences whose states the browser lacks (browser → kernel; the kernel clears it). */
  sentence_states_wanted: string[];
  /** Whether the kernel has the corpus, so a top context opens its whole sequence. */
  has_corpus: boolean;
  /** A request to open a top context's sequence (browser → kernel; the kernel clears it). */
  open_context: OpenContextRequest | null;
  /** A word the search box did not find among the drawn ones (browser → kernel; cleared). */
  word_query: string;
  /** The kernel's answer to the last `word_query`. */
  word_answer: WordAnswer | null;
  /** Only in snapshots: the views saved by rnnvis_widget/view/_export.py, by slotKey. */
  offline_views?: Record<string, OfflineView>;
}

/** What the user gave for one sentence: text (through the kernel's `encode`) or token ids. */
export type SentenceEntry = string | number[];

export type TraitName = keyof Traits;

/** The slice of AnyModel<Traits> the views use; the snapshot shim implements exactly this. */
export type WidgetModel = Pick<AnyModel<Traits>, "get" | "set" | "on" | "off" | "save_changes">;

/** Every synced trait of rnnvis_widget/view/comparison_widget.py `ComparisonView`. */
export interface ComparisonTraits {
  left_view: ViewPayload | null;
  right_view: ViewPayload | null;
  left_clusterings: Record<string, ClusteringPayload>; // by String(k of that side)
  right_clusterings: Record<string, ClusteringPayload>;
  comparisons: Record<string, ComparisonPayload>; // by String(n_clusters)
  n_clusters: number;
  link_filter: number;
  color_clip: number;
  selected_words: string[]; // pinned on both sides
  left_selected_units: number[];
  right_selected_units: number[];
  /** Sentences shown on both sides (typed text or token ids); the browser appends and removes. */
  sentences: SentenceEntry[];
  /** Each side's sentences run through its live model (kernel → browser). */
  left_sentence_view: SentenceViewPayload | null;
  right_sentence_view: SentenceViewPayload | null;
  /** Either side's sentence states, each sent once (ids are unique across sides). */
  sentence_states: SentenceStatesById;
  sentence_states_wanted: string[];
  /** Per side: the layer, state and direction its sentence rows show. */
  sentence_slots: SideSlot[];
}

/** The slice of AnyModel<ComparisonTraits> the comparison view uses. */
export type ComparisonModel = Pick<AnyModel<ComparisonTraits>, "get" | "set" | "on" | "off" | "save_changes">;
