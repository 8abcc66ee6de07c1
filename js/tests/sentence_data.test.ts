// Glyph numbers against the hand computation of tests/test_sentence_glyph.py (same example, same
// numbers), so the browser and rnnvis_widget/view/_sentence_glyph.py cannot drift apart.
import { describe, expect, it } from "vitest";
import type { EncodedArray } from "../codecs";
import type { SentencePayload, SentenceStates } from "../payloads";
import {
  clusterLinks,
  computeGlyph,
  decodeSentence,
  glyphExtent,
  meanAbsResponse,
  previousState,
  responseAt,
  strongestLink,
  typicality,
  unitsInClusterOrder,
  visibleToken,
  type SlotStates,
} from "../sentence_data";

const f32 = (values: number[], shape: number[]): EncodedArray => ({ buffer: new Float32Array(values).buffer, dtype: "float32", shape });

// T = 3 tokens, H = 4 units; units 0, 1 form cluster 0 and units 2, 3 cluster 1 (n = 2 each).
const LABELS = [0, 0, 1, 1];
const INITIAL = [0.5, -0.4, 0.0, 0.0];
const STATES = [
  [0.2, -0.6, 0.3, -0.1],
  [-0.3, -0.2, 0.5, 0.0],
  [-0.1, 0.4, 0.25, 0.2],
];
// The worked numbers (see tests/test_sentence_glyph.py for every step).
const POSITIVE = [[0.1, 0.15], [0.0, 0.25], [0.2, 0.225]];
const NEGATIVE = [[-0.3, -0.05], [-0.25, 0.0], [-0.05, 0.0]];
const POSITIVE_CHANGE = [[-0.15, 0.15], [-0.1, 0.1], [0.2, -0.025]];
const NEGATIVE_CHANGE = [[-0.1, -0.05], [0.05, 0.05], [0.2, 0.0]];
const KEPT = [[2 / 3, NaN], [0.25, 0.75], [0.2, 0.5]];
const LINK = [[0.25, 0.2], [0.45, 0.15], [0.4, 0.225]];
const SIGN = [[-1, 1], [-1, 1], [1, -1]];

/** A sentence as the kernel sends it: the payload in `sentence_view`, its states apart. */
function payload(rows: number[][], kind = "h"): { item: SentencePayload; states: Record<string, SentenceStates> } {
  return {
    item: {
      id: "s1",
      source: "a b c",
      tokens: ["a", "b", "c"],
      unknown: { buffer: new Uint8Array([0, 1, 0]).buffer, dtype: "uint8", shape: [3] },
      prediction: null,
    },
    states: { [`0|${kind}|0`]: { values: f32(rows.flat(), [rows.length, 4]), initial: f32(INITIAL, [4]) } },
  };
}

function slot(rows: number[][] = STATES, options = { backward: false, kind: "h" }): SlotStates {
  const p = payload(rows, options.kind);
  const states = decodeSentence(p.item, p.states).slot(`0|${options.kind}|0`, options);
  if (!states) throw new Error("slot missing");
  return states;
}

/** A [T, k] series against a table, to float32 precision (the states travel as float32). */
function expectTable(series: Float64Array, table: number[][], columns: number[] = [0, 1], k = 2): void {
  table.forEach((row, t) =>
    row.forEach((want, j) => {
      const got = series[t * k + columns[j]];
      if (Number.isNaN(want)) expect(got, `t${t} c${columns[j]}`).toBeNaN();
      else expect(got, `t${t} c${columns[j]}`).toBeCloseTo(want, 6);
    }),
  );
}

describe("glyph numbers (DESIGN §4)", () => {
  const glyph = computeGlyph(slot(), LABELS, 2);

  it("P/n and N/n per cluster and token", () => {
    expectTable(glyph.positive, POSITIVE);
    expectTable(glyph.negative, NEGATIVE);
    expect(Array.from(glyph.sizes)).toEqual([2, 2]);
  });

  it("changes since the previous token, the first against the initial state", () => {
    expectTable(glyph.positiveChange, POSITIVE_CHANGE);
    expectTable(glyph.negativeChange, NEGATIVE_CHANGE);
  });

  it("kept memory fraction, NaN where the cluster held nothing", () => {
    expectTable(glyph.kept, KEPT);
  });

  it("link strength Σ|Δx|/n and the sign of ΣΔx", () => {
    expectTable(glyph.linkStrength, LINK);
    expectTable(glyph.linkSign, SIGN);
  });

  it("an empty cluster reads 0 and kept NaN, and leaves the others alone", () => {
    const empty = computeGlyph(slot(), [0, 0, 2, 2], 3);
    expect(Array.from(empty.sizes)).toEqual([2, 0, 2]);
    expectTable(empty.positive, POSITIVE, [0, 2], 3);
    expectTable(empty.kept, KEPT, [0, 2], 3);
    expectTable(empty.linkStrength, LINK, [0, 2], 3);
    for (let t = 0; t < 3; t++) {
      expect(empty.positive[t * 3 + 1]).toBe(0);
      expect(empty.negativeChange[t * 3 + 1]).toBe(0);
      expect(empty.kept[t * 3 + 1]).toBeNaN();
    }
  });

  it("does not depend on the order of the units", () => {
    const order = [3, 0, 2, 1];
    const p = payload(STATES.map((row) => order.map((u) => row[u])));
    p.states["0|h|0"].initial = f32(order.map((u) => INITIAL[u]), [4]);
    const states = decodeSentence(p.item, p.states).slot("0|h|0", { backward: false, kind: "h" });
    if (!states) throw new Error("slot missing");
    const reordered = computeGlyph(states, order.map((u) => LABELS[u]), 2);
    expectTable(reordered.positive, POSITIVE);
    expectTable(reordered.kept, KEPT);
    expectTable(reordered.linkStrength, LINK);
  });

  it("a backward direction compares token t with token t + 1", () => {
    const backward = computeGlyph(slot([...STATES].reverse(), { backward: true, kind: "h" }), LABELS, 2);
    expectTable(backward.positiveChange, [...POSITIVE_CHANGE].reverse());
    expectTable(backward.kept, [...KEPT].reverse());
    expectTable(backward.linkStrength, [...LINK].reverse());
    expectTable(backward.linkSign, [...SIGN].reverse());
  });

  it("shares one y-extent and one link scale across sentences", () => {
    // Largest |value| among P, N, ΔP, ΔN above: 0.3 (N/n of cluster 0 at t0).
    expect(glyphExtent([glyph])).toBeCloseTo(0.3, 6);
    const doubled = computeGlyph(slot(STATES.map((row) => row.map((v) => 2 * v))), LABELS, 2);
    expect(glyphExtent([glyph, doubled])).toBeGreaterThan(0.55);
    expect(strongestLink([glyph])).toBeCloseTo(0.45, 6);
  });

  it("rejects a clustering of another layer", () => {
    expect(() => computeGlyph(slot(), [0, 1, 1], 2)).toThrow(/3 units but the sentence's states have 4/);
    expect(() => computeGlyph(slot(), [0, 1, 2, 1], 2)).toThrow(/outside 0\.\.1/);
  });
});

describe("responses of one occurrence", () => {
  it("is Δx for memory kinds, against the initial state first", () => {
    const states = slot();
    expect(Array.from(responseAt(states, 0)).map((v) => +v.toFixed(6))).toEqual([-0.3, -0.2, 0.3, -0.1]);
    expect(Array.from(responseAt(states, 2)).map((v) => +v.toFixed(6))).toEqual([0.2, 0.6, -0.25, 0.2]);
    expect(Array.from(previousState(states, 0))).toEqual(Array.from(new Float32Array(INITIAL)));
  });

  it("is the value itself for a gate, and so are its link strengths", () => {
    const gate = slot(STATES, { backward: false, kind: "f" });
    expect(Array.from(responseAt(gate, 1))).toEqual(Array.from(new Float32Array(STATES[1])));
    const glyph = computeGlyph(gate, LABELS, 2);
    // t1: Σ|x|/2 = (0.3 + 0.2)/2 = 0.25 and (0.5 + 0)/2 = 0.25; signs of Σx: −1, +1.
    expect(glyph.linkStrength[2]).toBeCloseTo(0.25, 6);
    expect(glyph.linkStrength[3]).toBeCloseTo(0.25, 6);
    expect([glyph.linkSign[2], glyph.linkSign[3]]).toEqual([-1, 1]);
    // P/n, N/n and their changes are the same numbers whatever the kind.
    expectTable(glyph.positiveChange, POSITIVE_CHANGE);
  });

  it("averages |response| over units per token, for the other direction's strip", () => {
    // |Δx| rows: t0 [0.3, 0.2, 0.3, 0.1], t1 [0.5, 0.4, 0.2, 0.1], t2 [0.2, 0.6, 0.25, 0.2].
    const mean = meanAbsResponse(slot());
    expect(mean[0]).toBeCloseTo(0.225, 6);
    expect(mean[1]).toBeCloseTo(0.3, 6);
    expect(mean[2]).toBeCloseTo(0.3125, 6);
  });

  it("links a response to clusters by Σ|r|/n and the sign of Σr", () => {
    const { strength, sign } = clusterLinks([0.2, 0.6, -0.25, 0.2], LABELS, 2);
    expect(Array.from(strength)).toEqual([0.4, 0.225]);
    expect(Array.from(sign)).toEqual([1, -1]);
  });
});

describe("decoding a sentence", () => {
  it("keeps tokens, unknown marks and predictions, and decodes a slot once", () => {
    const p = payload(STATES);
    p.item.prediction = { kind: "next_tokens", tokens: [["x", "y", "z"], ["b", "c", "d"], ["e", "f", "g"]], probs: f32([0.5, 0.2, 0.1, 0.4, 0.3, 0.2, 0.6, 0.1, 0.1], [3, 3]) };
    const sentence = decodeSentence(p.item, p.states);
    expect(sentence.id).toBe("s1");
    expect(sentence.waiting).toBe(false);
    expect(Array.from(sentence.unknown)).toEqual([0, 1, 0]);
    expect(sentence.prediction?.kind).toBe("next_tokens");
    const first = sentence.slot("0|h|0", { backward: false, kind: "h" });
    expect(sentence.slot("0|h|0", { backward: false, kind: "h" })).toBe(first);
    expect(sentence.slot("1|h|0", { backward: false, kind: "h" })).toBeNull();
  });

  it("waits for states still on their way: every slot is null until they come", () => {
    const p = payload(STATES);
    const sentence = decodeSentence(p.item, null);
    expect(sentence.waiting).toBe(true);
    expect(sentence.tokens).toEqual(["a", "b", "c"]);
    expect(sentence.slot("0|h|0", { backward: false, kind: "h" })).toBeNull();
  });

  it("says what is wrong with a payload that breaks the contract", () => {
    const p = payload(STATES);
    p.states["0|h|0"].initial = f32([0, 0, 0], [3]);
    expect(() => decodeSentence(p.item, p.states).slot("0|h|0", { backward: false, kind: "h" })).toThrow(/3 units, the states 4/);
    const q = payload(STATES);
    q.item.prediction = { kind: "classes", labels: ["neg", "pos"], final: f32([0.2, 0.5, 0.3], [3]), per_step: null };
    expect(() => decodeSentence(q.item, q.states)).toThrow(/3 probabilities for 2 labels/);
  });
});

describe("units in the main view's order", () => {
  it("groups units by cluster order, each in unit order", () => {
    const { units, spans } = unitsInClusterOrder([1, 0, 1, 2, 0], [4, 3, 2, 1, 0], [2, 0, 1]);
    expect(units).toEqual([3, 4, 1, 2, 0]);
    expect(spans).toEqual([
      { cluster: 2, start: 0, end: 1 },
      { cluster: 0, start: 1, end: 3 },
      { cluster: 1, start: 3, end: 5 },
    ]);
  });
});

describe("visible tokens", () => {
  it("draws whitespace and control characters as symbols and leaves text alone", () => {
    expect(visibleToken(" ")).toBe("␣");
    expect(visibleToken("\n")).toBe("⏎");
    expect(visibleToken("\t")).toBe("⇥");
    expect(visibleToken("\u0007")).toBe("\u2407");
    expect(visibleToken("\u200b")).toBe("U+200B");
    expect(visibleToken("")).toBe("∅");
    expect(visibleToken("a b")).toBe("a␣b");
    expect(visibleToken("<img src=x onerror=alert(1)>")).toBe("<img␣src=x␣onerror=alert(1)>");
    expect(visibleToken("naïve")).toBe("naïve");
  });
});

describe("typicality of an occurrence", () => {
  it("correlates with the mean profile and counts units inside the band", () => {
    const result = typicality([1, 2, 3, 10], [2, 4, 6, 8], { low: [0, 0, 0, 0], high: [2, 2, 4, 9] });
    // Inside: unit 0 (0 ≤ 1 ≤ 2), unit 1 (2 ≤ 2), unit 2 (3 ≤ 4); unit 3 is above (10 > 9).
    expect(result.insideBand).toBe(0.75);
    expect(result.meanAbsOccurrence).toBe(4);
    expect(result.meanAbsExpected).toBe(5);
    // Deviations [−3, −2, −1, 6] and [−3, −1, 1, 3]: Σab = 28, Σa² = 50, Σb² = 20,
    // r = 28 / √1000 = 0.885438.
    expect(result.correlation).toBeCloseTo(28 / Math.sqrt(1000), 10);
    expect(typicality([1, 1], [0, 2], null).correlation).toBeNaN();
    expect(typicality([1, 1], [0, 2], null).insideBand).toBeNull();
  });
});
