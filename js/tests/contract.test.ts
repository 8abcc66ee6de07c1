// The kernel-browser contract, checked from the browser's side: real payloads written by
// tests/test_contract.py (regenerate with RNNVIS_UPDATE_FIXTURES=1 .venv/bin/pytest
// tests/test_contract.py) go through the browser's own decoders.
import { describe, expect, it } from "vitest";
import { decode, type DType, type EncodedArray } from "../codecs";
import { CONTRACT, MAX_PINNED_WORDS, QUANTILE_PERCENTS, slotKey, TRAIT_DEFAULTS } from "../contract";
import { decodeClustering, decodeMain, quantilesOf, wordResponse } from "../main_data";
import type { ClusteringPayload, ErrorPayload, MainPayload, SentenceStatesById, SentenceViewPayload, ViewPayload } from "../payloads";
import { computeGlyph, decodeSentence, type Glyph } from "../sentence_data";
import { reviveBuffers } from "../snapshot";
import { initialState, MAX_PINNED } from "../state";
import fixture from "./fixtures/payloads.json";

// The dtype the browser is promised for every array (js/payloads.ts), by its path in a payload.
const WIRE_DTYPES: Record<string, DType> = {
  "words.count": "int32",
  "words.response": "float32",
  "words.quantiles": "float16",
  "units.resting": "float32",
  "contexts.value": "float32",
  "contexts.ids": "int32",
  unit_cluster: "int16",
  unit_order: "int32",
  cluster_order: "int16",
  edges: "float32",
  edge_strength: "float32",
  word_cluster: "int16",
  word_strength: "float32",
};

const expected = fixture.expected;

/** A payload as it reaches the widget: every {"$b64"} turned back into a DataView. */
function received<T>(payload: unknown): T {
  return reviveBuffers(payload as Parameters<typeof reviveBuffers>[0]) as T;
}

function isEncoded(value: unknown): value is EncodedArray {
  return value !== null && typeof value === "object" && "buffer" in value && "dtype" in value && "shape" in value;
}

/** Every encoded array in a payload, with its dotted path. */
function arraysIn(value: unknown, path = ""): [string, EncodedArray][] {
  if (isEncoded(value)) return [[path, value]];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) => arraysIn(child, path ? `${path}.${key}` : key));
}

const main = (): MainPayload => received<MainPayload>(fixture.payloads.main);
const bare = (): MainPayload => received<MainPayload>(fixture.payloads.main_bare);
const clustering = (): ClusteringPayload => received<ClusteringPayload>(fixture.payloads.clustering);

describe("payloads from the kernel", () => {
  it("hold every array in the dtype and shape the browser expects", () => {
    const found = [...arraysIn(main()), ...arraysIn(clustering())];
    expect(new Set(found.map(([path]) => path))).toEqual(new Set(Object.keys(WIRE_DTYPES)));
    for (const [path, array] of found) {
      expect(array.dtype, path).toBe(WIRE_DTYPES[path]);
      const decoded = decode(array);
      expect(decoded.shape, path).toEqual(array.shape);
      expect(decoded.data.length, path).toBe(array.shape.reduce((a, b) => a * b, 1));
    }
  });

  it("decode into the main view with every part", () => {
    const want = expected.main;
    const data = decodeMain(main());
    const nWords = want.words.length;
    expect(data.words).toEqual(want.words);
    expect([data.nWords, data.nUnits]).toEqual([nWords, want.n_units]);
    expect(data.counts.data).toBeInstanceOf(Int32Array);
    expect(Array.from(data.counts.data)).toEqual(want.count);
    expect(data.response.data).toBeInstanceOf(Float32Array);
    expect(Array.from(wordResponse(data, 0))).toEqual(want.response_of_first_word);
    expect(data.quantiles?.shape).toEqual([nWords, want.n_units, QUANTILE_PERCENTS.length]);
    expect(quantilesOf(data, 0, 0)).toEqual(want.quantiles_of_first_word_unit_0);
    expect(Array.from(data.resting.data)).toEqual(want.resting);
  });

  it("decode the top contexts: values, and token ids into their own token list", () => {
    const want = expected.main;
    const contexts = decodeMain(main()).contexts;
    if (!contexts) throw new Error("the full analysis sent no contexts");
    expect([contexts.perSign, contexts.window]).toEqual([want.per_sign, want.window]);
    expect(contexts.value.shape).toEqual([want.n_units, 2, want.per_sign]);
    const { unit, value, tokens } = want.strongest_context;
    const slot = unit * 2 * contexts.perSign; // sign 0 (positive), first entry
    expect(contexts.value.data[slot]).toBe(value);
    const span = 2 * contexts.window + 1;
    const ids = Array.from(contexts.ids.data.subarray(slot * span, (slot + 1) * span));
    expect(ids.map((id) => (id < 0 ? null : contexts.tokens[id]))).toEqual(tokens);
  });

  it("decode optional parts the analysis did not keep to null", () => {
    const want = expected.main_bare;
    const payload = bare();
    expect([payload.words.quantiles, payload.contexts, payload.live]).toEqual([null, null, false]);
    const data = decodeMain(payload);
    expect([data.quantiles, data.contexts, quantilesOf(data, 0, 0)]).toEqual([null, null, null]);
    expect(data.words).toEqual(want.words);
    expect(Array.from(data.counts.data)).toEqual(want.count);
    expect(Array.from(wordResponse(data, 0))).toEqual(want.response_of_first_word);
  });

  it("decode a clustering against the main view it belongs to", () => {
    const want = expected.clustering;
    const data = decodeMain(main());
    const decoded = decodeClustering(clustering(), data);
    expect(decoded.k).toBe(want.k);
    expect(Array.from(decoded.unitCluster.data)).toEqual(want.unit_cluster);
    expect(decoded.edges.shape).toEqual([want.k, want.k]);
    expect(Array.from(decoded.edges.data)).toEqual(want.edges);
    expect(Array.from(decoded.wordCluster.data)).toEqual(want.word_cluster);
    expect(Array.from(decoded.unitOrder.data).sort()).toEqual([...Array(data.nUnits).keys()]);
  });

  it("are rejected with a message when their shapes disagree", () => {
    const data = decodeMain(main());
    expect(() => decodeClustering(clustering(), { nUnits: data.nUnits, nWords: data.nWords + 1 })).toThrow(
      /word_cluster has shape \[\d+\], expected \[\d+\]/,
    );
    const skewed = main();
    const quantiles = skewed.words.quantiles as EncodedArray;
    skewed.words.quantiles = { ...quantiles, shape: [data.nWords, QUANTILE_PERCENTS.length, data.nUnits] };
    expect(() => decodeMain(skewed)).toThrow(/words.quantiles has shape/);
  });

  it("include an error view the widget can show as it is", () => {
    const payload = received<ViewPayload>(fixture.payloads.error);
    expect(payload.kind).toBe("error");
    expect((payload as ErrorPayload).message).toMatch(/^rnnvis cannot show this view/);
  });
});

describe("the sentence view from the kernel", () => {
  const view = (): SentenceViewPayload => received<SentenceViewPayload>(fixture.payloads.sentence_view);
  const sentenceStates = (): SentenceStatesById => received<SentenceStatesById>(fixture.payloads.sentence_states);
  const want = expected.sentence;

  it("holds states as float32 and unknown marks as uint8, shaped by the tokens", () => {
    const item = view().items[0];
    expect(view().kind).toBe("sentences");
    expect(item.tokens).toEqual(want.tokens);
    expect(item.unknown.dtype).toBe("uint8");
    expect(item.unknown.shape).toEqual([want.tokens.length]);
    expect(item.id).toBe("s1");
    const states = sentenceStates()[item.id][want.slot];
    expect([states.values.dtype, states.initial.dtype]).toEqual(["float32", "float32"]);
    expect(states.values.shape[0]).toBe(want.tokens.length);
    expect(states.initial.shape).toEqual([states.values.shape[1]]);
  });

  it("gives the glyph numbers of the Python reference (rnnvis_widget/view/_sentence_glyph.py)", () => {
    const item = view().items[0];
    const sentence = decodeSentence(item, sentenceStates()[item.id]);
    const labels = decodeClustering(clustering(), decodeMain(main()));
    const states = sentence.slot(want.slot, { backward: false, kind: "h" });
    if (!states) throw new Error(`the fixture's sentence has no ${want.slot}`);
    const glyph = computeGlyph(states, labels.unitCluster.data, labels.k);
    const series: [keyof Glyph, (number | null)[]][] = [
      ["positive", want.positive],
      ["negative", want.negative],
      ["positiveChange", want.positive_change],
      ["negativeChange", want.negative_change],
      ["kept", want.kept],
      ["linkStrength", want.link_strength],
      ["linkSign", want.link_sign],
    ];
    for (const [name, values] of series) {
      const got = glyph[name] as Float64Array;
      expect(got.length, name).toBe(values.length);
      values.forEach((value, i) => {
        if (value === null) expect(got[i], `${name}[${i}]`).toBeNaN();
        else expect(got[i], `${name}[${i}]`).toBeCloseTo(value, 5);
      });
    }
  });
});

describe("shared constants", () => {
  it("are the ones the kernel read from the same contract.json", () => {
    expect(CONTRACT).toEqual(fixture.contract);
    expect(MAX_PINNED_WORDS).toBe(fixture.python.MAX_PINNED_WORDS);
    expect(MAX_PINNED).toBe(fixture.python.MAX_PINNED_WORDS);
    expect([CONTRACT.min_clusters, CONTRACT.max_clusters]).toEqual([fixture.python.MIN_CLUSTERS, fixture.python.MAX_CLUSTERS]);
    expect([...QUANTILE_PERCENTS]).toEqual(fixture.python.QUANTILE_PERCENTS);
    expect(initialState().linkFilter).toBe(fixture.contract.trait_defaults.link_filter);
    expect(TRAIT_DEFAULTS).toEqual(fixture.contract.trait_defaults);
  });

  it("name snapshot views as the kernel names them", () => {
    for (const { layer, state, direction, key } of fixture.python.slot_keys) {
      expect(slotKey(layer, state, direction)).toBe(key);
    }
  });

  it("bound the clusters range the kernel sends", () => {
    const [low, high] = main().k_range;
    expect(low).toBe(CONTRACT.min_clusters);
    expect(high).toBeLessThanOrEqual(CONTRACT.max_clusters);
  });
});
