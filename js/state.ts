// Client-side view state shared through the store.
export interface AppState {
  hoveredWord: string | null;
  selectedWords: string[];
}

export const initialState = (selectedWords: string[]): AppState => ({
  hoveredWord: null,
  selectedWords,
});
