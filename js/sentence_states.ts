// The sentences' states kept in the browser. The kernel sends each sentence's states once
// (trait `sentence_states`, by sentence id) rather than with every change of the sentence list,
// so adding a sentence costs the same however many are shown. This cache gathers what arrived,
// per model (every view of one model shares it), and asks the kernel for ids it lacks — after a
// page reload the model holds only the last batch sent.
import type { SentenceStates, SentenceStatesById } from "./payloads";

/** The slice of a widget model the cache needs (both widgets' models have these traits). */
export interface StatesModel {
  get(name: "sentence_states"): SentenceStatesById | null | undefined;
  get(name: "sentence_states_wanted"): string[] | null | undefined;
  set(name: "sentence_states_wanted", value: string[]): void;
  save_changes(): void;
}

export class SentenceStateCache {
  private known = new Map<string, Record<string, SentenceStates>>();
  private asked = new Set<string>();
  private lastBatch: SentenceStatesById | null = null;

  constructor(private readonly model: StatesModel) {}

  /** The states of sentence `id`, or null while they have not arrived. */
  get(id: string): Record<string, SentenceStates> | null {
    this.absorb();
    return this.known.get(id) ?? null;
  }

  /** Ask the kernel once for every id of `ids` whose states are not here; forget the states of
   * sentences no longer listed. Returns whether any are still missing. */
  keepOnly(ids: string[], live: boolean): boolean {
    this.absorb();
    const listed = new Set(ids);
    // The batch on the model may name sentences of a list still on its way: keep those.
    const arriving = this.lastBatch ?? {};
    for (const id of [...this.known.keys()]) if (!listed.has(id) && !(id in arriving)) this.known.delete(id);
    const missing = ids.filter((id) => !this.known.has(id));
    const toAsk = missing.filter((id) => !this.asked.has(id));
    if (live && toAsk.length > 0) {
      for (const id of toAsk) this.asked.add(id);
      this.model.set("sentence_states_wanted", toAsk);
      this.model.save_changes();
    }
    return missing.length > 0;
  }

  /** Take in the batch the model holds now (its trait is replaced by each new batch). */
  private absorb(): void {
    const batch = this.model.get("sentence_states");
    if (!batch || batch === this.lastBatch) return;
    this.lastBatch = batch;
    for (const [id, states] of Object.entries(batch)) {
      this.known.set(id, states);
      this.asked.delete(id);
    }
  }
}

const caches = new WeakMap<object, SentenceStateCache>();

/** The one cache of `model`, shared by all its views (a widget displayed twice, a redraw). */
export function sentenceStateCache(model: StatesModel): SentenceStateCache {
  let cache = caches.get(model);
  if (!cache) caches.set(model, (cache = new SentenceStateCache(model)));
  return cache;
}
