// What every main-view module receives: the data, the geometry, the store and the intents.
// Views never touch each other's DOM; they read the store and call intents.
import type { Clustering, MainData } from "../main_data";
import type { AppState, TokenFocus } from "../state";
import type { Store } from "../store";
import type { Layout } from "./layout";

export interface Intents {
  hoverWord(word: number | null): void;
  togglePin(word: number): void;
  hoverUnit(unit: number | null): void;
  selectUnit(unit: number | null): void;
  hoverCluster(cluster: number | null): void;
  focusCluster(cluster: number): void;
  /** Lists every word of a word cluster in the side panel (null closes the list). */
  listCluster(cluster: number | null): void;
  hoverToken(token: TokenFocus | null): void;
  pinToken(token: TokenFocus | null): void;
  addSentence(text: string): void;
  /** Opens a top context's whole sequence as a sentence (`sign` 0 positive, 1 negative; `rank`
   * among the unit's contexts); null when the kernel has no corpus. */
  openContext: ((unit: number, sign: number, rank: number, label: string) => void) | null;
}

export interface Tooltip {
  show(lines: string[], event: MouseEvent): void;
  hide(): void;
}

export interface ViewContext {
  data: MainData;
  store: Store<AppState>;
  intents: Intents;
  tooltip: Tooltip;
}

export interface ClusterContext extends ViewContext {
  clustering: Clustering;
  layout: Layout;
  /** Words to mark in the clouds (a comparison: the word changed cluster across). */
  wordMark?: (word: number) => boolean;
}

// Shown where an analysis kept no quantiles or contexts: what to pass to get them.
export const NO_QUANTILES = "no quantiles kept: pass display_words to rv.analyze";
export const NO_CONTEXTS = "no contexts kept: pass top_contexts to rv.analyze";
/** A shown word the analysis kept no quantiles for: a strong word outside its display words. */
export const noQuantilesFor = (word: string): string =>
  `no quantiles kept for “${word}” (only for the analysis's display_words, the most frequent): showing its mean only`;

/** A short note in a panel (e.g. why a part is missing), styled as a hint. */
export function appendNote(panel: HTMLElement, text: string, part: string): void {
  const note = document.createElement("div");
  note.className = "rv-hint rv-missing";
  note.dataset.missing = part;
  note.textContent = text;
  panel.appendChild(note);
}

export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e4)) return value.toExponential(2);
  return value.toFixed(4);
}
