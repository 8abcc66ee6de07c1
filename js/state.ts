// Client-side view state shared through the store. Word ids index the shown words.
import { MAX_PINNED_WORDS, TRAIT_DEFAULTS } from "./contract";

export interface AppState {
  hoveredWord: number | null;
  pinnedWords: number[]; // up to MAX_PINNED, each with its own mark colour
  hoveredUnit: number | null;
  selectedUnit: number | null;
  hoveredCluster: number | null; // a paired cluster: its unit block, cloud and links
  focusedCluster: number | null;
  listedCluster: number | null; // a word cluster whose every word the side panel lists
  linkFilter: number; // 0..1 of the strongest link
  colorClip: number; // |response| at which colours saturate
  hoveredToken: TokenFocus | null; // a token of a sentence under the pointer
  pinnedToken: TokenFocus | null; // a token clicked in the sentence view
  sentenceBlocked: string | null; // why no sentence can be added now (null: the live model can run one)
  pendingSentence: string | null; // sent to the kernel, not answered yet
  clusteringK: number | null; // k of the clustering on screen (null until one arrives)
  strongestLink: number | null; // mean |response| of its strongest cluster pair: the link width scale
}

/** One occurrence of a token in a sentence, as the main view needs it to link to it. */
export interface TokenFocus {
  sentence: number; // index in the `sentences` trait
  token: number; // position in the sentence
  text: string; // vocabulary text of the token
  response: Float32Array; // [H]: this occurrence's response (Δx for h and c, the value for gates)
  strongest: number; // strongest token-to-cluster link among the sentences drawn: the width scale
  cluster: number | null; // the glyph column (unit cluster) under the pointer
}

export const MAX_PINNED = MAX_PINNED_WORDS;

// Okabe–Ito colours, distinguishable with colour-vision deficiency; one per pinned word.
export const PIN_COLORS = ["#E69F00", "#009E73", "#CC79A7"];

export const initialState = (patch: Partial<AppState> = {}): AppState => ({
  clusteringK: null,
  strongestLink: null,
  hoveredWord: null,
  pinnedWords: [],
  hoveredUnit: null,
  selectedUnit: null,
  hoveredCluster: null,
  focusedCluster: null,
  listedCluster: null,
  linkFilter: TRAIT_DEFAULTS.link_filter,
  colorClip: 1,
  hoveredToken: null,
  pinnedToken: null,
  sentenceBlocked: null,
  pendingSentence: null,
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

/** The same occurrence (sentence and position), whatever column is hovered. */
export function sameToken(a: TokenFocus | null, b: TokenFocus | null): boolean {
  return a === b || (a !== null && b !== null && a.sentence === b.sentence && a.token === b.token);
}

/** The token the main view links to: the one under the pointer, else the pinned one. */
export function focusedToken(state: AppState): TokenFocus | null {
  return state.hoveredToken ?? state.pinnedToken;
}
