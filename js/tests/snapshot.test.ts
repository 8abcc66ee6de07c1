import { describe, expect, it, vi } from "vitest";
import type { SentenceViewPayload } from "../payloads";
import { keptItems, reviveBuffers, SnapshotModel, unpackState } from "../snapshot";

describe("reviveBuffers", () => {
  it("turns {$b64} objects into DataViews anywhere in the state", () => {
    const revived = reviveBuffers({ view: { response: { buffer: { $b64: "AQID" }, shape: [3] } }, n: [1, { $b64: "" }] }) as any;
    const view = revived.view.response.buffer as DataView;
    expect(view).toBeInstanceOf(DataView);
    expect([view.getUint8(0), view.getUint8(1), view.getUint8(2)]).toEqual([1, 2, 3]);
    expect(revived.n[1]).toBeInstanceOf(DataView);
  });

  it("leaves objects that merely contain a $b64 key among others alone", () => {
    expect(reviveBuffers({ $b64: "AQID", other: 1 })).toEqual({ $b64: "AQID", other: 1 });
  });
});

describe("SnapshotModel", () => {
  it("emits change events and hands saved changes to the kernel stand-in", () => {
    const kernel = vi.fn();
    (globalThis as any).window = { rnnvisKernel: kernel };
    const model = new SnapshotModel({ layer: 0 });
    const onLayer = vi.fn();
    model.on("change:layer", onLayer);
    model.set("layer", 1);
    model.save_changes();
    expect(onLayer).toHaveBeenCalledTimes(1);
    expect(kernel).toHaveBeenCalledWith({ layer: 1 });
    model.off("change:layer", onLayer);
    model.receive({ layer: 2 });
    expect(onLayer).toHaveBeenCalledTimes(1);
    expect(model.get("layer")).toBe(2);
    delete (globalThis as any).window;
  });
});

describe("saved sentences offline", () => {
  const view = (sources: string[]): SentenceViewPayload =>
    ({ kind: "sentences", live: false, disabled_reason: "saved", error: null, max_tokens: 200, items: sources.map((source) => ({ source })) }) as unknown as SentenceViewPayload;

  it("keeps the items of the entries still listed, in order, duplicates included", () => {
    expect(keptItems(["a", [1, 2], "b", "a"], ["a", "b"], ["A", "12", "B", "A2"])).toEqual(["A", "B"]);
    expect(keptItems(["a", [1, 2], "b", "a"], [[1, 2], "a"], ["A", "12", "B", "A2"])).toEqual(["12", "A2"]);
    expect(keptItems(["a", "b"], [], ["A", "B"])).toEqual([]);
    expect(keptItems(["a", "b"], ["b", "a"], ["A", "B"])).toBeNull();
    expect(keptItems(["a"], ["a", "new"], ["A"])).toBeNull();
  });

  it("removes a sentence without a kernel and refuses to add one", () => {
    const model = new SnapshotModel({ sentences: ["x", "y"], sentence_view: view(["x", "y"]) });
    const onView = vi.fn();
    model.on("change:sentence_view", onView);
    model.set("sentences", ["y"]);
    model.save_changes();
    expect(onView).toHaveBeenCalledTimes(1);
    expect(model.get("sentence_view")?.items.map((item) => item.source)).toEqual(["y"]);
    model.set("sentences", ["y", "typed offline"]);
    model.save_changes();
    expect(model.get("sentences")).toEqual(["y"]);
    expect(model.get("sentence_view")?.items.map((item) => item.source)).toEqual(["y"]);
  });
});

describe("unpackState", () => {
  function container(header: object, buffers: Uint8Array[]): Uint8Array {
    const json = new TextEncoder().encode(JSON.stringify(header));
    const size = 8 + json.length + buffers.reduce((n, b) => n + b.length, 0);
    const bytes = new Uint8Array(size);
    bytes.set(new TextEncoder().encode("RVS1"), 0);
    new DataView(bytes.buffer).setUint32(4, json.length, true);
    bytes.set(json, 8);
    let offset = 8 + json.length;
    for (const b of buffers) {
      bytes.set(b, offset);
      offset += b.length;
    }
    return bytes;
  }

  it("puts each buffer where its $buf marker was, shared ones included", () => {
    const state = unpackState(
      container({ state: { a: { $buf: 0 }, b: [{ $buf: 1 }, { $buf: 0 }], t: "</script>" }, sizes: [2, 3] }, [
        new Uint8Array([7, 8]),
        new Uint8Array([1, 2, 3]),
      ]),
    ) as any;
    expect(state.t).toBe("</script>");
    expect([state.a.getUint8(0), state.a.getUint8(1)]).toEqual([7, 8]);
    expect(state.b[0].byteLength).toBe(3);
    expect(state.b[0].getUint8(2)).toBe(3);
    expect(state.b[1]).toBe(state.a);
  });

  it("rejects foreign and truncated containers", () => {
    const good = container({ state: {}, sizes: [4] }, [new Uint8Array(4)]);
    expect(() => unpackState(good.subarray(0, good.length - 1))).toThrow(/truncated/);
    const foreign = good.slice();
    foreign[0] = 88;
    expect(() => unpackState(foreign)).toThrow(/not an rnnvis snapshot/);
  });
});
