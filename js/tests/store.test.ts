import { describe, expect, it } from "vitest";
import { Store } from "../store";

describe("Store", () => {
  it("notifies subscribers with new and previous state on change only", () => {
    const store = new Store({ a: 1, b: "x" });
    const seen: [number, number][] = [];
    const unsubscribe = store.subscribe((next, previous) => seen.push([next.a, previous.a]));
    store.update({ a: 2 });
    store.update({ a: 2 });
    store.update({ b: "y" });
    unsubscribe();
    store.update({ a: 3 });
    expect(seen).toEqual([
      [2, 1],
      [2, 2],
    ]);
    expect(store.get()).toEqual({ a: 3, b: "y" });
  });
});
