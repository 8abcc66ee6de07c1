// The slice of the anywidget model API our views use; the snapshot shim implements the same.
import type { EncodedArray } from "./codecs";

export interface WidgetModel {
  get(name: string): any;
  set(name: string, value: unknown): void;
  save_changes(): void;
  on(event: string, callback: () => void): void;
  off(event: string, callback: () => void): void;
}

/** What the kernel sends in the `view` trait (see rnnvis_widget/viewmodel.py). */
export interface HeatmapPayload {
  kind: "heatmap";
  title: string;
  layers: string[];
  states: string[];
  words: string[];
  counts: EncodedArray;
  response: EncodedArray;
  /** Kernel-only controls are disabled when false (snapshots). */
  live: boolean;
}

export interface ErrorPayload {
  kind: "error";
  message: string;
}

export type ViewPayload = HeatmapPayload | ErrorPayload;
