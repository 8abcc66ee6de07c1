// Client-side view state shared through the store. Word ids index the shown words.
import { MAX_PINNED_WORDS, TRAIT_DEFAULTS } from "./contract";

export interface AppState {
  hoveredWord: number | null;
  pinnedWords: number[]; // up to MAX_PINNED, each with its own mark colour
  hoveredUnit: number | null;
  selectedUnit: number | null;
  hoveredCluster: number | null; // a paired cluster: its unit block, cloud and links
  focusedCluster: number | null;
  linkFilter: number; // 0..1 of the strongest link
  colorClip: number; // |response| at which colours saturate
}

export const MAX_PINNED = MAX_PINNED_WORDS;

// Okabe–Ito colours, distinguishable with colour-vision deficiency; one per pinned word.
export const PIN_COLORS = ["#E69F00", "#009E73", "#CC79A7"];

export const initialState = (patch: Partial<AppState> = {}): AppState => ({
  hoveredWord: null,
  pinnedWords: [],
  hoveredUnit: null,
  selectedUnit: null,
  hoveredCluster: null,
  focusedCluster: null,
  linkFilter: TRAIT_DEFAULTS.link_filter,
  colorClip: 1,
  ...patch,
});

/** Pin or unpin a word; the oldest pin drops out beyond MAX_PINNED. */
export function togglePin(pinned: number[], word: number): number[] {
  if (pinned.includes(word)) return pinned.filter((w) => w !== word);
  return [...pinned, word].slice(-MAX_PINNED);
}

/** The cluster whose links and partner are highlighted: a focus (click) wins over a hover. */
export function activeCluster(state: AppState): number | null {
  return state.focusedCluster ?? state.hoveredCluster;
}
