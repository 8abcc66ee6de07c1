import { describe, expect, it } from "vitest";
import { activeCluster, initialState, MAX_PINNED, togglePin } from "../state";

describe("togglePin", () => {
  it("adds, removes and keeps at most MAX_PINNED, dropping the oldest", () => {
    let pinned: number[] = [];
    for (const w of [4, 7, 9]) pinned = togglePin(pinned, w);
    expect(pinned).toEqual([4, 7, 9]);
    pinned = togglePin(pinned, 1);
    expect(pinned).toEqual([7, 9, 1]);
    expect(pinned.length).toBe(MAX_PINNED);
    expect(togglePin(pinned, 9)).toEqual([7, 1]);
  });
});

describe("activeCluster", () => {
  it("prefers the clicked cluster over the hovered one", () => {
    expect(activeCluster(initialState({ hoveredCluster: 2 }))).toBe(2);
    expect(activeCluster(initialState({ hoveredCluster: 2, focusedCluster: 5 }))).toBe(5);
    expect(activeCluster(initialState())).toBeNull();
  });
});
