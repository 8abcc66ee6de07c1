import { describe, expect, it } from "vitest";
import { divergingRgb, robustClip } from "../colors";

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
