// The browser's store of sentence states, on the snapshot's model (the one test pages use as a
// kernel stand-in): each sentence's states arrive once, and ids missing after a reload are asked
// for once.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SentenceStates, SentenceStatesById } from "../payloads";
import { SentenceStateCache, sentenceStateCache } from "../sentence_states";
import { SnapshotModel } from "../snapshot";

const states = (value: number): Record<string, SentenceStates> => ({
  "0|h|0": {
    values: { buffer: new Float32Array([value]).buffer, dtype: "float32", shape: [1, 1] },
    initial: { buffer: new Float32Array([0]).buffer, dtype: "float32", shape: [1] },
  },
});

function kernelModel(batch: SentenceStatesById): { model: SnapshotModel; kernel: ReturnType<typeof vi.fn> } {
  const kernel = vi.fn();
  (globalThis as any).window = { rnnvisKernel: kernel };
  return { model: new SnapshotModel({ sentence_states: batch, sentence_states_wanted: [] }), kernel };
}

afterEach(() => {
  delete (globalThis as any).window;
});

describe("SentenceStateCache", () => {
  it("keeps every batch it saw, though the trait holds only the last", () => {
    const { model } = kernelModel({ s1: states(1) });
    const cache = new SentenceStateCache(model);
    expect(cache.get("s1")).not.toBeNull();
    model.receive({ sentence_states: { s2: states(2) } } as any);
    expect(cache.get("s2")).not.toBeNull();
    expect(cache.get("s1")).not.toBeNull();
    expect(cache.get("s3")).toBeNull();
  });

  it("asks the kernel once for ids it lacks, and not in a snapshot", () => {
    const { model, kernel } = kernelModel({ s2: states(2) });
    const cache = new SentenceStateCache(model);
    expect(cache.keepOnly(["s1", "s2"], true)).toBe(true);
    expect(kernel).toHaveBeenCalledTimes(1);
    expect(kernel).toHaveBeenCalledWith({ sentence_states_wanted: ["s1"] });
    // Asked already: a redraw before the answer does not ask again.
    cache.keepOnly(["s1", "s2"], true);
    expect(kernel).toHaveBeenCalledTimes(1);
    model.receive({ sentence_states: { s1: states(1) } } as any);
    expect(cache.keepOnly(["s1", "s2"], true)).toBe(false);
    expect(cache.keepOnly(["s9"], false)).toBe(true);
    expect(kernel).toHaveBeenCalledTimes(1);
  });

  it("forgets removed sentences but keeps a batch whose list is still on its way", () => {
    const { model } = kernelModel({ s1: states(1) });
    const cache = new SentenceStateCache(model);
    cache.keepOnly(["s1"], false);
    // s2's states came first; the list naming it has not: s2 stays, s1 (removed) goes.
    model.receive({ sentence_states: { s2: states(2) } } as any);
    cache.keepOnly([], false);
    expect(cache.get("s2")).not.toBeNull();
    expect(cache.get("s1")).toBeNull();
  });

  it("is one per model, shared by its views", () => {
    const { model } = kernelModel({});
    expect(sentenceStateCache(model)).toBe(sentenceStateCache(model));
    expect(sentenceStateCache(kernelModel({}).model)).not.toBe(sentenceStateCache(model));
  });
});
