import { describe, expect, it } from "vitest";
import type { DecodedPrediction, Glyph, SentenceData } from "../sentence_data";
import { glyphTooltip, predictedClass, predictionLines } from "../views/sentence_text";

const classes: DecodedPrediction = {
  kind: "classes",
  labels: ["negative", "positive"],
  final: new Float32Array([0.25, 0.75]),
  perStep: new Float32Array([0.6, 0.4, 0.3, 0.7]),
};

describe("predictions", () => {
  it("name the most likely class with its probability", () => {
    expect(predictedClass(classes)).toEqual({ label: "positive", probability: 0.75, all: "negative 25 % · positive 75 %" });
    expect(predictedClass(null)).toBeNull();
  });

  it("give each token its prefix's class, or the language model's next tokens", () => {
    expect(predictionLines(classes, 0)).toEqual(["prediction of the prefix up to here: negative 60 %"]);
    expect(predictionLines(classes, 1)).toEqual(["prediction of the prefix up to here: positive 70 %"]);
    expect(predictionLines({ ...classes, perStep: null }, 1)).toEqual([]);
    const next: DecodedPrediction = { kind: "next_tokens", tokens: [["the", " ", "a"]], probs: new Float32Array([0.5, 0.2, 0.001]) };
    expect(predictionLines(next, 0)).toEqual(["model's next token: the 50 % · ␣ 20 % · a 0.1 %"]);
  });
});

describe("glyph tooltip", () => {
  const sentence = { tokens: ["a", "\t", "c"], unknown: new Uint8Array([0, 1, 0]) } as unknown as SentenceData;
  const glyph: Glyph = {
    nTokens: 3,
    k: 1,
    sizes: new Int32Array([4]),
    positive: new Float64Array([0.1, 0.2, 0.3]),
    negative: new Float64Array([-0.1, -0.2, -0.3]),
    positiveChange: new Float64Array([0.1, 0.1, 0.1]),
    negativeChange: new Float64Array([-0.1, -0.1, -0.1]),
    kept: new Float64Array([NaN, 0.5, 1]),
    linkStrength: new Float64Array([0.2, 0.25, 0.3]),
    linkSign: new Float64Array([1, -1, 0]),
  };

  it("gives the numbers of the hovered column, the previous token and the unknown mark", () => {
    const lines = glyphTooltip(sentence, 0, glyph, 1, 0, "h", false, true);
    expect(lines[0]).toBe("“⇥” · token 2 of 3 · sentence 1");
    expect(lines[1]).toMatch(/not in the vocabulary/);
    expect(lines).toContain("unit cluster 0 (4 units) · state h");
    expect(lines).toContain("P/n 0.2000 · N/n -0.2000");
    expect(lines).toContain("change since “a”: ΔP/n 0.1000 · ΔN/n -0.1000");
    expect(lines).toContain("kept 50 % of the memory held after “a”");
    expect(lines).toContain("link to the cluster: Σ|Δh|/n 0.2500, net sign −");
  });

  it("compares with the initial state first, and with the next token going backward", () => {
    expect(glyphTooltip(sentence, 0, glyph, 0, 0, "c", false, true)).toContain("kept: nothing was held after the initial state");
    expect(glyphTooltip(sentence, 0, glyph, 2, 0, "c", true, true)).toContain("kept 100.0 % of the memory held after the initial state");
    expect(glyphTooltip(sentence, 0, glyph, 1, 0, "c", true, true)).toContain("change since “c”: ΔP/n 0.1000 · ΔN/n -0.1000");
    expect(glyphTooltip(sentence, 0, glyph, 1, 0, "f", false, false)).toContain("link to the cluster: Σ|f|/n 0.2500, net sign −");
  });
});
