// Boots a saved view without a kernel: reads the inlined state, stands in for the anywidget
// model, imports the inlined widget bundle from a Blob URL and renders it.
// Test pages reuse this boot with `window.rnnvisKernel` set, which receives every save_changes.
import type { WidgetModel } from "./model";

type Callback = () => void;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

declare global {
  interface Window {
    rnnvisModels?: SnapshotModel[];
    rnnvisKernel?: (changes: Record<string, unknown>) => unknown | Promise<unknown>;
  }
}

function base64Bytes(text: string): Uint8Array {
  const binary = atob(text.trim());
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Buffers were inlined as {"$b64": ...}; the widget expects DataViews there, as from a kernel. */
export function reviveBuffers(value: Json): unknown {
  if (Array.isArray(value)) return value.map(reviveBuffers);
  if (value !== null && typeof value === "object") {
    const b64 = value["$b64"];
    if (typeof b64 === "string" && Object.keys(value).length === 1) {
      const bytes = base64Bytes(b64);
      return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reviveBuffers(v)]));
  }
  return value;
}

export class SnapshotModel implements WidgetModel {
  private values: Record<string, unknown>;
  private pending: Record<string, unknown> = {};
  private listeners = new Map<string, Set<Callback>>();

  constructor(values: Record<string, unknown>) {
    this.values = { ...values };
  }

  get(name: string): any {
    return this.values[name];
  }

  set(name: string, value: unknown): void {
    this.values[name] = value;
    this.pending[name] = value;
    this.emit(`change:${name}`);
  }

  /** Without a kernel nothing listens; a kernel stand-in (tests) may answer with new state. */
  save_changes(): void {
    const changes = this.pending;
    this.pending = {};
    const kernel = typeof window === "undefined" ? undefined : window.rnnvisKernel;
    if (!kernel) return;
    void Promise.resolve(kernel(changes)).then((reply) => {
      if (reply && typeof reply === "object") this.receive(reply as Record<string, Json>);
    });
  }

  /** State sent by a kernel stand-in (tests): applied like a message from the kernel. */
  receive(changes: Record<string, Json>): void {
    for (const [name, value] of Object.entries(changes)) {
      this.values[name] = reviveBuffers(value);
      this.emit(`change:${name}`);
    }
  }

  on(event: string, callback: Callback): void {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)?.add(callback);
  }

  off(event: string, callback: Callback): void {
    this.listeners.get(event)?.delete(callback);
  }

  private emit(event: string): void {
    for (const callback of [...(this.listeners.get(event) ?? [])]) callback();
  }
}

async function boot(): Promise<void> {
  const stateText = document.getElementById("rnnvis-state")?.textContent ?? "{}";
  const bundleText = document.getElementById("rnnvis-bundle")?.textContent ?? "";
  const root = document.getElementById("rnnvis-root");
  if (!root) throw new Error("snapshot page has no #rnnvis-root");
  const model = new SnapshotModel(reviveBuffers(JSON.parse(stateText) as Json) as Record<string, unknown>);
  window.rnnvisModels = [...(window.rnnvisModels ?? []), model];
  const source = new TextDecoder().decode(base64Bytes(bundleText));
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const widget = (await import(/* @vite-ignore */ url)) as {
    default: { render(props: { model: WidgetModel; el: HTMLElement }): unknown };
  };
  widget.default.render({ model, el: root });
  root.dataset.booted = "true";
}

if (typeof document !== "undefined" && document.getElementById("rnnvis-state")) {
  boot().catch((error: Error) => {
    const root = document.getElementById("rnnvis-root");
    if (root) root.textContent = `This snapshot could not start: ${error.message}`;
  });
}
