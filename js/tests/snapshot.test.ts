import { describe, expect, it, vi } from "vitest";
import { reviveBuffers, SnapshotModel } from "../snapshot";

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
