// Constants the kernel and the browser share, read from the one file both sides load
// (rnnvis_widget/view/contract.json; in Python, rnnvis_widget/view/_payloads.py). esbuild
// inlines the JSON into the bundle.
import contract from "../rnnvis_widget/view/contract.json";

export const CONTRACT = contract;

/** How many words can be pinned at once (the kernel rejects more). */
export const MAX_PINNED_WORDS: number = contract.max_pinned_words;

/** Percentiles of the quantiles in `words.quantiles`, ascending: its last axis has this length. */
export const QUANTILE_PERCENTS: readonly number[] = contract.quantile_percents;

/** Trait values before the kernel has sent any (the widget's own defaults). */
export const TRAIT_DEFAULTS = contract.trait_defaults;

/** Names a view precomputed in a snapshot; rnnvis_widget/view/_export.py `slot_key` is its twin. */
export function slotKey(layer: unknown, state: unknown, direction: unknown): string {
  return [layer, state, direction].map(String).join(contract.slot_key_separator);
}
