import { describe, expect, it } from "vitest";
import { brushRange, fitLabel, GAP, hitAt, labelChars, MAX_COLUMN, restingColumn, rowWidth, shownRange, tokenGeometry, tokenX } from "../sentence_layout";

describe("glyph geometry", () => {
  it("narrows columns as k grows, within 4..12 px", () => {
    expect(restingColumn(2)).toBe(12);
    expect(restingColumn(8)).toBe(10);
    expect(restingColumn(20)).toBe(4);
    expect(restingColumn(40)).toBe(4);
  });

  it("places token t one slot after t − 1, half a slot in from the edge", () => {
    const g = tokenGeometry(8, 30, null, 900);
    expect(g.slot).toBe(8 * 10 + GAP);
    expect([g.start, g.end]).toEqual([0, 30]);
    expect(tokenX(g, 0)).toBe(g.slot / 2);
    expect(tokenX(g, 3) - tokenX(g, 2)).toBe(g.slot);
    expect(rowWidth(g, 30)).toBe(31 * g.slot);
    expect(rowWidth(g, 5)).toBe(6 * g.slot);
  });

  it("fits a zoomed range to the visible width, within the column limits", () => {
    const g = tokenGeometry(8, 120, [20, 30], 940);
    expect([g.start, g.end]).toEqual([20, 30]);
    // 10 tokens and two half-slot margins fill 940 px: 11 slots of 85.45 px.
    expect(rowWidth(g, 120)).toBeCloseTo(940, 6);
    expect(tokenX(g, 20)).toBeCloseTo(g.slot / 2, 6);
    expect(tokenGeometry(2, 120, [5, 6], 2000).column).toBe(MAX_COLUMN);
    expect(tokenGeometry(8, 400, [0, 399], 900).column).toBe(2);
  });

  it("clips a range to the sentence", () => {
    expect(shownRange(null, 12)).toEqual([0, 12]);
    expect(shownRange([10, 50], 12)).toEqual([10, 12]);
    expect(shownRange([30, 40], 12)).toEqual([11, 12]);
  });

  it("finds the token and column under the pointer, and nothing in a gap", () => {
    const g = tokenGeometry(4, 10, null, 900); // column 12, glyph 48, slot 62, margin 31
    expect(hitAt(g, 31 + 0.5, 10)).toEqual({ token: 0, column: 0 });
    expect(hitAt(g, 31 + 62 * 2 + 12 * 3 + 1, 10)).toEqual({ token: 2, column: 3 });
    expect(hitAt(g, 31 + 48 + 3, 10)).toBeNull(); // the gap after token 0
    expect(hitAt(g, 10, 10)).toBeNull();
    expect(hitAt(g, 31 + 62 * 5 + 1, 5)).toBeNull(); // past the last token
  });
});

describe("labels", () => {
  it("cut long tokens by code points and mark the cut", () => {
    expect(fitLabel("lord", 6)).toBe("lord");
    expect(fitLabel("<img␣src=x>", 6)).toBe("<img␣…");
    expect(fitLabel("😀😀😀😀", 3)).toBe("😀😀…");
    expect(labelChars(94)).toBe(14);
    expect(labelChars(10)).toBe(2);
  });
});

describe("brush", () => {
  it("turns a drag into a token range and a click into a reset", () => {
    // 100 px over 50 tokens: 2 px a token.
    expect(brushRange(21, 41, 100, 50)).toEqual([10, 21]);
    expect(brushRange(41, 21, 100, 50)).toEqual([10, 21]);
    expect(brushRange(20, 21, 100, 50)).toBeNull();
    expect(brushRange(-5, 200, 100, 50)).toBeNull(); // everything: no zoom
    expect(brushRange(0, 10, 0, 50)).toBeNull();
  });
});
