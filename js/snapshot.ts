// Boots a saved view without a kernel: unpacks the inlined state, stands in for the anywidget
// model, imports the inlined widget bundle from a Blob URL and renders it. What a kernel would
// compute on a click was precomputed by rnnvis_widget/view/_export.py and is served from
// `offline_views`; the saved `sentences` and `sentence_view` stay as saved (a sentence can be
// removed offline, not added). Test pages reuse this boot with `window.rnnvisKernel` set, which then plays
// the kernel: it receives every save_changes and may answer with new state.
import { slotKey } from "./contract";
import type { SentenceEntry, Traits, WidgetModel } from "./model";
import type { OfflineView } from "./payloads";

// Backbone-style: change events call back with no arguments, custom messages with some.
type Callback = (...args: never[]) => void;
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

declare global {
  interface Window {
    rnnvisModels?: SnapshotModel[];
    rnnvisKernel?: (changes: Record<string, unknown>) => unknown | Promise<unknown>;
  }
}

const MAGIC = "RVS1";

function base64Bytes(text: string): Uint8Array {
  const binary = atob(text.trim());
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Buffers sent by a test kernel arrive as {"$b64": ...}; the widget expects DataViews there. */
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

/** Reads the container written by rnnvis_widget/view/_export.py `pack_state`: magic, uint32
 * header length, JSON header ({state, sizes}), then the buffers back to back; {"$buf": i} marks
 * where buffer i goes. */
export function unpackState(bytes: Uint8Array): Record<string, unknown> {
  const magic = new TextDecoder().decode(bytes.subarray(0, 4));
  if (magic !== MAGIC) throw new Error(`not an rnnvis snapshot container (found ${JSON.stringify(magic)})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as {
    state: Json;
    sizes: number[];
  };
  const buffers: DataView[] = [];
  let offset = 8 + headerLength;
  for (const size of header.sizes) {
    buffers.push(new DataView(bytes.buffer, bytes.byteOffset + offset, size));
    offset += size;
  }
  if (offset !== bytes.byteLength) throw new Error("snapshot container is truncated or has trailing bytes");
  const place = (value: Json): unknown => {
    if (Array.isArray(value)) return value.map(place);
    if (value !== null && typeof value === "object") {
      const index = value["$buf"];
      if (typeof index === "number" && Object.keys(value).length === 1) return buffers[index];
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, place(v)]));
    }
    return value;
  };
  return place(header.state) as Record<string, unknown>;
}

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Stands in for the kernel's model: the state is what the kernel had sent (all of Traits in a
 * saved snapshot), so `get` returns what the traits say. */
export class SnapshotModel implements WidgetModel {
  private values: Partial<Traits>;
  private pending: Partial<Traits> = {};
  private listeners = new Map<string, Set<Callback>>();

  private savedSentences: SentenceEntry[];

  constructor(values: Partial<Traits>) {
    this.values = { ...values };
    this.savedSentences = values.sentences ?? [];
  }

  get<K extends keyof Traits>(name: K): Traits[K] {
    return this.values[name] as Traits[K];
  }

  set<K extends keyof Traits>(name: K, value: Traits[K]): void {
    this.values[name] = value;
    this.pending[name] = value;
    this.emit(`change:${name}`);
  }

  save_changes(): void {
    const changes = this.pending;
    this.pending = {};
    const kernel = typeof window === "undefined" ? undefined : window.rnnvisKernel;
    if (!kernel) {
      this.serveOffline(changes);
      return;
    }
    void Promise.resolve(kernel(changes)).then((reply) => {
      if (reply && typeof reply === "object") this.receive(reply as Record<string, Json>);
    });
  }

  /** Plays the kernel from precomputed views: a new layer/state/direction swaps in its view and
   * clusterings (falling back to h as the kernel does), and k snaps to the nearest saved one. */
  private serveOffline(changes: Partial<Traits>): void {
    if ("sentences" in changes) this.keepSavedSentences();
    const views: Record<string, OfflineView> | undefined = this.values.offline_views;
    if (!views) return;
    if ("layer" in changes || "state" in changes || "direction" in changes) {
      const { layer, direction } = this.values;
      let key = slotKey(layer, this.values.state, direction);
      if (!views[key] && views[slotKey(layer, "h", direction)]) {
        key = slotKey(layer, "h", direction);
        this.values.state = "h";
        this.emit("change:state");
      }
      const saved = views[key];
      if (!saved) return;
      this.values.clusterings = saved.clusterings;
      this.values.other_direction_clusterings = saved.other_direction_clusterings ?? {};
      this.values.n_clusters = nearest(Object.keys(saved.clusterings).map(Number), Number(this.values.n_clusters));
      this.values.view = saved.view;
      this.emit("change:view");
    }
  }

  /** Removing sentences works offline: the saved sentence view keeps the items still listed.
   * A sentence that was never run cannot be added without the model, so the list goes back. */
  private keepSavedSentences(): void {
    const view = this.values.sentence_view;
    const wanted = this.values.sentences ?? [];
    const items = view ? keptItems(this.savedSentences, wanted, view.items) : null;
    if (!view || !items) {
      this.values.sentences = this.savedSentences;
      this.emit("change:sentences");
      return;
    }
    this.savedSentences = wanted;
    this.values.sentence_view = { ...view, items, error: null };
    this.emit("change:sentence_view");
  }

  /** State sent by a kernel stand-in (tests): applied like a message from the kernel. */
  receive(changes: Record<string, Json>): void {
    const values = this.values as Record<string, unknown>;
    for (const [name, value] of Object.entries(changes)) {
      values[name] = reviveBuffers(value);
      this.emit(`change:${name}`);
    }
  }

  on(event: string, callback: Callback): void {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)?.add(callback);
  }

  /** As Backbone's: without a callback, every listener of `event`; without an event, all. */
  off(event?: string | null, callback?: Callback | null): void {
    if (!event) {
      this.listeners.clear();
    } else if (!callback) {
      this.listeners.delete(event);
    } else {
      this.listeners.get(event)?.delete(callback);
    }
  }

  private emit(event: string): void {
    for (const callback of [...(this.listeners.get(event) ?? [])]) callback();
  }
}

const sameEntry = (a: SentenceEntry, b: SentenceEntry): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The items of `saved` (one per entry of `before`) for the entries of `after`, which must be
 * `before` with some entries taken out; null when `after` holds anything else. */
export function keptItems<T>(before: SentenceEntry[], after: SentenceEntry[], saved: T[]): T[] | null {
  const kept: T[] = [];
  let from = 0;
  for (const entry of after) {
    while (from < before.length && !sameEntry(before[from], entry)) from += 1;
    if (from >= before.length || from >= saved.length) return null;
    kept.push(saved[from]);
    from += 1;
  }
  return kept;
}

function nearest(options: number[], wanted: number): number {
  return options.reduce((best, k) => (Math.abs(k - wanted) < Math.abs(best - wanted) ? k : best), options[0] ?? wanted);
}

async function boot(): Promise<void> {
  const stateText = document.getElementById("rnnvis-state")?.textContent ?? "";
  const bundleText = document.getElementById("rnnvis-bundle")?.textContent ?? "";
  const root = document.getElementById("rnnvis-root");
  if (!root) throw new Error("snapshot page has no #rnnvis-root");
  // The state was written from the widget's traits (rnnvis_widget/view/_export.py widget_state).
  const model = new SnapshotModel(unpackState(await gunzip(base64Bytes(stateText))) as Partial<Traits>);
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
