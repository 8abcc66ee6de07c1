import { describe, expect, it } from "vitest";
import { activeCluster, focusedToken, initialState, MAX_PINNED, sameToken, togglePin, type TokenFocus } from "../state";

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

describe("tokens of sentences", () => {
  const token = (sentence: number, t: number, cluster: number | null = null): TokenFocus => ({
    sentence,
    token: t,
    text: "x",
    response: new Float32Array(2),
    strongest: 1,
    cluster,
  });

  it("are the same occurrence whatever column is hovered", () => {
    expect(sameToken(token(0, 3, 1), token(0, 3, 5))).toBe(true);
    expect(sameToken(token(0, 3), token(1, 3))).toBe(false);
    expect(sameToken(token(0, 3), null)).toBe(false);
    expect(sameToken(null, null)).toBe(true);
  });

  it("link the hovered one, else the pinned one", () => {
    const hovered = token(0, 1);
    const pinned = token(1, 2);
    expect(focusedToken(initialState({ hoveredToken: hovered, pinnedToken: pinned }))).toBe(hovered);
    expect(focusedToken(initialState({ pinnedToken: pinned }))).toBe(pinned);
    expect(focusedToken(initialState())).toBeNull();
  });
});
