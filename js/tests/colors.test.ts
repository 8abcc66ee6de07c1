import { describe, expect, it } from "vitest";
import { interpolateRdBu } from "d3-scale-chromatic";
import { contrast, divergingColor, divergingRgb as divergingRgbOf, robustClip, sequentialColor, setColorTheme } from "../colors";

function divergingRgb(value: number, clip: number): number[] {
  const match = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(divergingColor(value, clip));
  if (!match) throw new Error("not an rgb() colour");
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

describe("divergingRgb", () => {
  it("is red for positive, blue for negative and light at zero", () => {
    const [pr, , pb] = divergingRgb(1, 1);
    const [nr, , nb] = divergingRgb(-1, 1);
    const zero = divergingRgb(0, 1);
    expect(pr).toBeGreaterThan(pb);
    expect(nb).toBeGreaterThan(nr);
    expect(Math.min(...zero)).toBeGreaterThan(230);
  });

  it("clips beyond the clip value", () => {
    expect(divergingRgb(5, 1)).toEqual(divergingRgb(1, 1));
    expect(divergingRgb(-5, 1)).toEqual(divergingRgb(-1, 1));
  });
});

describe("sequentialColor", () => {
  it("darkens with the value and saturates at the max", () => {
    const light = sequentialColor(0, 1);
    const dark = sequentialColor(1, 1);
    expect(light).not.toEqual(dark);
    expect(sequentialColor(5, 1)).toEqual(dark);
    expect(sequentialColor(Number.NaN, 1)).toEqual(light);
  });
});

describe("robustClip", () => {
  it("ignores a single outlier", () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i % 2 ? 1 : -1) * ((i % 10) / 10));
    values.push(1e6);
    expect(robustClip(values)).toBeLessThan(1);
  });

  it("falls back to 1 for all-zero input", () => {
    expect(robustClip([0, 0, 0])).toBe(1);
  });
});

describe("divergingRgb for canvas pixels", () => {
  it("is exactly divergingColor as numbers, clipped and NaN-safe alike", () => {
    for (const value of [-2, -1, -0.37, 0, 0.01, 0.5, 1, 3, NaN]) {
      expect(divergingRgbOf(value, 1)).toEqual(divergingRgb(value, 1));
    }
    expect(divergingRgbOf(0.5, 0)).toEqual(divergingRgb(0.5, 1));
  });
});

describe("colour scales follow the page's theme", () => {
  const rgb = (colour: string): [number, number, number] => {
    const parts = (colour.match(/\d+/g) ?? []).map(Number);
    return [parts[0], parts[1], parts[2]];
  };
  const pages: [string, [number, number, number]][] = [
    ["white", [255, 255, 255]],
    ["JupyterLab Dark", [17, 17, 17]],
    ["grey-blue dark", [30, 34, 44]],
  ];
  for (const [name, page] of pages) {
    it(`on a ${name} page zero is the page and strength means contrast`, () => {
      setColorTheme(page);
      try {
        expect(rgb(divergingColor(0, 1))).toEqual(page);
        expect(rgb(sequentialColor(0, 1))).not.toEqual(rgb(sequentialColor(1, 1)));
        for (const sign of [1, -1]) {
          const weak = contrast(rgb(divergingColor(0.1 * sign, 1)), page);
          const strong = contrast(rgb(divergingColor(sign, 1)), page);
          expect(strong).toBeGreaterThan(2.5);
          expect(strong).toBeGreaterThan(weak * 2);
        }
        expect(contrast(rgb(sequentialColor(1, 1)), page)).toBeGreaterThan(contrast(rgb(sequentialColor(0.1, 1)), page));
        // Red stays positive and blue negative.
        const [pr, , pb] = rgb(divergingColor(1, 1));
        const [nr, , nb] = rgb(divergingColor(-1, 1));
        expect(pr).toBeGreaterThan(pb);
        expect(nb).toBeGreaterThan(nr);
      } finally {
        setColorTheme([255, 255, 255]);
      }
    });
  }

  it("is ColorBrewer's RdBu itself on a white page", () => {
    setColorTheme([255, 255, 255]);
    expect(divergingColor(1, 1)).toBe(interpolateRdBu(0));
    expect(divergingColor(-1, 1)).toBe(interpolateRdBu(1));
  });
});
