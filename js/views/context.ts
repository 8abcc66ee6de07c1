// What every main-view module receives: the data, the geometry, the store and the intents.
// Views never touch each other's DOM; they read the store and call intents.
import type { Clustering, MainData } from "../main_data";
import type { AppState } from "../state";
import type { Store } from "../store";
import type { Layout } from "./layout";

export interface Intents {
  hoverWord(word: number | null): void;
  togglePin(word: number): void;
  hoverUnit(unit: number | null): void;
  selectUnit(unit: number | null): void;
  hoverCluster(cluster: number | null): void;
  focusCluster(cluster: number): void;
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
}

export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e4)) return value.toExponential(2);
  return value.toFixed(4);
}
