import { describe, expect, it } from "vitest";
import type { EncodedArray } from "../codecs";
import { decodeClustering, type Clustering } from "../main_data";
import { cloudWords, computeLayout, fontSize, visibleLinks } from "../views/layout";

function enc(values: number[], dtype: "int32" | "float32", shape = [values.length]): EncodedArray {
  const typed = dtype === "int32" ? new Int32Array(values) : new Float32Array(values);
  return { buffer: new DataView(typed.buffer), dtype, shape };
}

// 7 units in 3 clusters (sizes 3, 1, 3), shown in cluster order 2, 0, 1; 5 words.
function clustering(): Clustering {
  return decodeClustering({
    k: 3,
    unit_cluster: enc([0, 0, 1, 2, 2, 0, 2], "int32"),
    unit_order: enc([3, 4, 6, 0, 1, 5, 2], "int32"),
    cluster_order: enc([2, 0, 1], "int32"),
    edges: enc([0.5, -0.1, 0, 0.05, -0.4, 0.2, 0.3, 0, 0.01], "float32", [3, 3]),
    // Block (2, 2) has mixed signs: its signed mean is small but it is strongly linked.
    edge_strength: enc([0.5, 0.1, 0, 0.05, 0.4, 0.2, 0.3, 0, 0.45], "float32", [3, 3]),
    word_cluster: enc([0, 1, 0, -1, 2], "int32"),
    word_strength: enc([0.2, 0.5, 0.9, 0, 0.3], "float32"),
  }, { nUnits: 7, nWords: 5 });
}

describe("computeLayout", () => {
  const layout = computeLayout(clustering(), 7);

  it("stacks one row per cluster in display order without overlap", () => {
    expect(layout.rows.map((r) => r.cluster)).toEqual([2, 0, 1]);
    for (let i = 1; i < layout.rows.length; i++) {
      const above = layout.rows[i - 1];
      expect(layout.rows[i].y).toBeGreaterThanOrEqual(above.y + above.height);
    }
    expect(layout.height).toBe(layout.rows[2].y + layout.rows[2].height);
  });

  it("puts every unit inside its own cluster's block, in unit order", () => {
    expect(layout.rows[0].units).toEqual([3, 4, 6]);
    expect(layout.rows[1].units).toEqual([0, 1, 5]);
    for (const row of layout.rows) {
      for (const unit of row.units) {
        expect(layout.chipY[unit]).toBeGreaterThanOrEqual(row.y);
        expect(layout.chipY[unit] + layout.chipSize).toBeLessThanOrEqual(row.y + row.height);
        expect(layout.chipX[unit] + layout.chipSize).toBeLessThanOrEqual(layout.chipsWidth);
      }
    }
    const positions = new Set(Array.from(layout.chipX, (x, u) => `${x},${layout.chipY[u]}`));
    expect(positions.size).toBe(7);
  });
});

describe("visibleLinks", () => {
  const c = clustering();
  const layout = computeLayout(c, 7);

  it("keeps links whose strength reaches the filter fraction of the strongest, weakest first", () => {
    const links = visibleLinks(layout, c, 0.5);
    expect(links.map((l) => [l.unitCluster, l.wordCluster, Number(l.weight.toFixed(6))])).toEqual([
      [2, 0, 0.3],
      [1, 1, -0.4],
      [2, 2, 0.01],
      [0, 0, 0.5],
    ]);
    expect(visibleLinks(layout, c, 0).length).toBe(7); // zero weights never drawn
  });

  it("joins the unit row's centre to the word row's centre", () => {
    const [link] = visibleLinks(layout, c, 1);
    const row = layout.rows[layout.rowOfCluster.get(0) ?? -1];
    const y = row.y + row.height / 2;
    expect(link.path.startsWith(`M${layout.chipsWidth},${y}`)).toBe(true);
    expect(link.path.endsWith(`${layout.chipsWidth + layout.linksWidth},${y}`)).toBe(true);
  });
});

describe("cloud words and font sizes", () => {
  it("lists a cluster's words strongest first and skips unclustered ones", () => {
    const c = clustering();
    expect(cloudWords(c, 0, 10)).toEqual([2, 0]);
    expect(cloudWords(c, 0, 1)).toEqual([2]);
    expect(cloudWords(c, 2, 10)).toEqual([4]);
  });

  it("grows monotonically within its bounds", () => {
    expect(fontSize(0, 1)).toBe(10);
    expect(fontSize(1, 1)).toBe(26);
    expect(fontSize(0.25, 1)).toBeLessThan(fontSize(0.5, 1));
    expect(fontSize(5, 0)).toBe(10);
  });
});

describe("computeLayout for a comparison", () => {
  it("mirrors a side: clouds on the left, chips on the right, links between", () => {
    const layout = computeLayout(clustering(), 7, 200, 50, { mirror: true });
    expect(layout.cloudX).toBe(0);
    expect(layout.chipsX).toBe(250);
    for (const x of layout.chipX) expect(x).toBeGreaterThanOrEqual(250);
    const link = visibleLinks(layout, clustering(), 0)[0];
    expect(link.path.startsWith("M250,")).toBe(true);
    expect(link.path.includes(" 200,")).toBe(true);
  });
  it("places rows in given slots, leaving gaps, at least as tall as asked", () => {
    const layout = computeLayout(clustering(), 7, 200, 50, { slots: [1, null, 2, 0], slotHeights: [0, 0, 150, 0] });
    expect(layout.rows.map((r) => r.cluster)).toEqual([1, 2, 0]);
    const [first, second] = layout.rows;
    expect(second.y).toBeGreaterThanOrEqual(first.y + first.height + 96);
    expect(second.height).toBe(150);
  });
});
