// The slice of the anywidget model API our views use; the snapshot shim implements the same.
import type { MainPayload } from "./main_data";

export interface WidgetModel {
  get(name: string): any;
  set(name: string, value: unknown): void;
  save_changes(): void;
  on(event: string, callback: () => void): void;
  off(event: string, callback: () => void): void;
}

export interface ErrorPayload {
  kind: "error";
  message: string;
}

/** What the kernel sends in the `view` trait (see rnnvis_widget/viewmodel.py). */
export type ViewPayload = MainPayload | ErrorPayload;
