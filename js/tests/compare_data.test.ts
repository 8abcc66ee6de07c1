import { describe, expect, it } from "vitest";
import { alignSlots, clusterOnSide, pairColor, toggleFocus, toggleWord } from "../compare_data";

describe("alignSlots", () => {
  it("puts each matched right cluster level with its partner and unmatched ones after", () => {
    // Left order 2, 0, 1; left 2 ↔ right 0, left 0 ↔ right 3, left 1 unmatched; right has 4.
    const [left, right] = alignSlots([2, 0, 1], [3, 1, 0, 2], [3, -1, 0]);
    expect(left).toEqual([2, 0, 1, null, null]);
    expect(right).toEqual([0, 3, null, 1, 2]);
  });
});

describe("clusterOnSide", () => {
  const partner: [number[], number[]] = [[1, -1], [-1, 0, 2]];
  it("maps a cluster to its partner across, or to nothing", () => {
    expect(clusterOnSide({ side: 0, cluster: 0 }, 0, partner)).toBe(0);
    expect(clusterOnSide({ side: 0, cluster: 0 }, 1, partner)).toBe(1);
    expect(clusterOnSide({ side: 0, cluster: 1 }, 1, partner)).toBeNull();
    expect(clusterOnSide({ side: 1, cluster: 1 }, 0, partner)).toBe(0);
    expect(clusterOnSide(null, 0, partner)).toBeNull();
  });
});

describe("pins and focus", () => {
  it("toggles words by text and keeps the newest three", () => {
    expect(toggleWord(["a", "b", "c"], "d")).toEqual(["b", "c", "d"]);
    expect(toggleWord(["a", "b"], "a")).toEqual(["b"]);
  });
  it("clears the focus when the same cluster is clicked again", () => {
    expect(toggleFocus({ side: 0, cluster: 2 }, { side: 0, cluster: 2 })).toBeNull();
    expect(toggleFocus({ side: 0, cluster: 2 }, { side: 1, cluster: 2 })).toEqual({ side: 1, cluster: 2 });
  });
  it("greys unmatched clusters and colours pairs apart", () => {
    expect(pairColor(-1)).toBe("#9e9e9e");
    expect(pairColor(0)).not.toBe(pairColor(1));
  });
});
