// The sentence view's numbers, as pure functions (unit tested, no DOM): a sentence payload
// decoded once, and the glyph numbers of DESIGN §4 for one clustering — the twin of
// rnnvis_widget/view/_sentence_glyph.py. States are decoded per layer/state/direction on first
// use and kept, so a change of k or of layer redraws without decoding or asking the kernel.
import { decode, type NdArray } from "./codecs";
import type { Prediction, SentencePayload, SentenceStates } from "./payloads";

/** State kinds whose response is the change Δx(t) = x(t) − x(previous); for gates it is the value. */
export const MEMORY_KINDS: ReadonlySet<string> = new Set(["h", "c"]);

/** One layer/state/direction of one sentence: T tokens × H units, row t right after token t. */
export interface SlotStates {
  nTokens: number;
  nUnits: number;
  values: Float32Array; // [T, H]
  initial: Float32Array; // [H]
  backward: boolean; // read from the last token to the first: the previous of t is t + 1
  memory: boolean; // h or c: the response is the change; otherwise (gates) the value itself
}

export type DecodedPrediction =
  | { kind: "classes"; labels: string[]; final: Float32Array; perStep: Float32Array | null }
  | { kind: "next_tokens"; tokens: string[][]; probs: Float32Array };

export interface SentenceData {
  id: string;
  source: string;
  tokens: string[];
  unknown: Uint8Array; // [T]
  prediction: DecodedPrediction | null;
  slotKeys: string[];
  /** True while the sentence's states have not arrived from the kernel (every slot is null). */
  waiting: boolean;
  /** The states of one slot (decoded on first use), or null when the sentence lacks it. */
  slot(key: string, options: { backward: boolean; kind: string }): SlotStates | null;
}

function floats(array: NdArray): Float32Array {
  return array.data instanceof Float32Array ? array.data : Float32Array.from(array.data);
}

function decodePrediction(prediction: Prediction | null, nTokens: number): DecodedPrediction | null {
  if (!prediction) return null;
  if (prediction.kind === "classes") {
    const final = floats(decode(prediction.final));
    const perStep = prediction.per_step ? floats(decode(prediction.per_step)) : null;
    if (final.length !== prediction.labels.length) {
      throw new Error(`prediction has ${final.length} probabilities for ${prediction.labels.length} labels`);
    }
    if (perStep && perStep.length !== nTokens * final.length) {
      throw new Error(`per-step prediction has ${perStep.length} values, expected ${nTokens} × ${final.length}`);
    }
    return { kind: "classes", labels: prediction.labels, final, perStep };
  }
  const probs = floats(decode(prediction.probs));
  if (prediction.tokens.length !== nTokens) {
    throw new Error(`next-token prediction covers ${prediction.tokens.length} positions, expected ${nTokens}`);
  }
  return { kind: "next_tokens", tokens: prediction.tokens, probs };
}

/** A sentence and its states (`sentence_states[payload.id]`; null while they are on their way). */
export function decodeSentence(payload: SentencePayload, stored: Record<string, SentenceStates> | null): SentenceData {
  const nTokens = payload.tokens.length;
  const unknownArray = decode(payload.unknown);
  if (unknownArray.data.length !== nTokens) {
    throw new Error(`sentence “${payload.source}” marks ${unknownArray.data.length} tokens unknown-or-not for ${nTokens} tokens`);
  }
  const unknown = Uint8Array.from(unknownArray.data);
  const cache = new Map<string, SlotStates>();
  return {
    id: payload.id,
    source: payload.source,
    tokens: payload.tokens,
    unknown,
    prediction: decodePrediction(payload.prediction, nTokens),
    slotKeys: Object.keys(stored ?? {}),
    waiting: stored === null,
    slot(key, { backward, kind }) {
      const hit = cache.get(key);
      if (hit) return hit;
      const raw = stored?.[key];
      if (!raw) return null;
      const values = decode(raw.values);
      const initial = decode(raw.initial);
      if (values.shape.length !== 2 || values.shape[0] !== nTokens) {
        throw new Error(`states ${key} have shape [${values.shape.join(", ")}], expected [${nTokens}, H]`);
      }
      const nUnits = values.shape[1];
      if (initial.data.length !== nUnits) {
        throw new Error(`initial state ${key} has ${initial.data.length} units, the states ${nUnits}`);
      }
      const states: SlotStates = {
        nTokens,
        nUnits,
        values: floats(values),
        initial: floats(initial),
        backward,
        memory: MEMORY_KINDS.has(kind),
      };
      cache.set(key, states);
      return states;
    },
  };
}

/** Row of token `t` (a view, no copy). */
export function stateAt(states: SlotStates, t: number): Float32Array {
  return states.values.subarray(t * states.nUnits, (t + 1) * states.nUnits);
}

/** The state before token `t` was read: t − 1 forward, t + 1 backward, else the initial state. */
export function previousState(states: SlotStates, t: number): Float32Array {
  const before = states.backward ? t + 1 : t - 1;
  return before < 0 || before >= states.nTokens ? states.initial : stateAt(states, before);
}

/** The token's response of every unit, as the analysis defines it (DESIGN §4): Δx for h and c,
 * the value itself for gates — so it compares with the words' expected responses. */
export function responseAt(states: SlotStates, t: number): Float32Array {
  const current = stateAt(states, t);
  if (!states.memory) return current.slice();
  const before = previousState(states, t);
  const delta = new Float32Array(states.nUnits);
  for (let u = 0; u < states.nUnits; u++) delta[u] = current[u] - before[u];
  return delta;
}

/** Mean |response| over the units, per token: how much each token moved this direction. */
export function meanAbsResponse(states: SlotStates): Float64Array {
  const out = new Float64Array(states.nTokens);
  for (let t = 0; t < states.nTokens; t++) {
    const response = responseAt(states, t);
    let sum = 0;
    for (let u = 0; u < response.length; u++) sum += Math.abs(response[u]);
    out[t] = states.nUnits > 0 ? sum / states.nUnits : 0;
  }
  return out;
}

/** Units per cluster; labels outside 0..k−1 are a broken contract, not a quiet miscount. */
export function clusterSizes(unitCluster: ArrayLike<number>, k: number): Int32Array {
  const sizes = new Int32Array(k);
  for (let u = 0; u < unitCluster.length; u++) {
    const c = unitCluster[u];
    if (!(c >= 0 && c < k)) throw new Error(`unit ${u} is in cluster ${c}, outside 0..${k - 1}`);
    sizes[c] += 1;
  }
  return sizes;
}

/** How strongly a response moved each cluster: Σ_u |r_u| / n and the sign of Σ_u r_u. */
export function clusterLinks(response: ArrayLike<number>, unitCluster: ArrayLike<number>, k: number): { strength: Float64Array; sign: Float64Array } {
  const sizes = clusterSizes(unitCluster, k);
  const strength = new Float64Array(k);
  const net = new Float64Array(k);
  for (let u = 0; u < response.length; u++) {
    strength[unitCluster[u]] += Math.abs(response[u]);
    net[unitCluster[u]] += response[u];
  }
  for (let c = 0; c < k; c++) strength[c] = sizes[c] > 0 ? strength[c] / sizes[c] : 0;
  return { strength, sign: net.map(Math.sign) };
}

/** Every glyph number of one sentence for one clustering; arrays are [T, k], columns in cluster
 * label order (the view places them by the clustering's cluster order). */
export interface Glyph {
  nTokens: number;
  k: number;
  sizes: Int32Array;
  positive: Float64Array; // P(t)/n >= 0
  negative: Float64Array; // N(t)/n <= 0
  positiveChange: Float64Array; // (P(t) − P(previous))/n
  negativeChange: Float64Array; // (N(t) − N(previous))/n
  kept: Float64Array; // K(t)/Σ|x(previous)| in [0, 1]; NaN where nothing was held (or n = 0)
  linkStrength: Float64Array; // Σ|r_u(t)|/n, r the response (Δx for h/c)
  linkSign: Float64Array; // sign of Σ r_u(t)
}

export function computeGlyph(states: SlotStates, unitCluster: ArrayLike<number>, k: number): Glyph {
  const { nTokens: T, nUnits: H } = states;
  if (unitCluster.length !== H) {
    throw new Error(`the clustering has ${unitCluster.length} units but the sentence's states have ${H}; use the clustering of the same layer and state`);
  }
  const sizes = clusterSizes(unitCluster, k);
  const glyph: Glyph = {
    nTokens: T,
    k,
    sizes,
    positive: new Float64Array(T * k),
    negative: new Float64Array(T * k),
    positiveChange: new Float64Array(T * k),
    negativeChange: new Float64Array(T * k),
    kept: new Float64Array(T * k),
    linkStrength: new Float64Array(T * k),
    linkSign: new Float64Array(T * k),
  };
  const kept = new Float64Array(k);
  const held = new Float64Array(k);
  for (let t = 0; t < T; t++) {
    const x = stateAt(states, t);
    const before = previousState(states, t);
    const row = t * k;
    kept.fill(0);
    held.fill(0);
    for (let u = 0; u < H; u++) {
      const c = unitCluster[u];
      const now = x[u];
      const was = before[u];
      if (now > 0) glyph.positive[row + c] += now;
      else glyph.negative[row + c] += now;
      glyph.positiveChange[row + c] += Math.max(now, 0) - Math.max(was, 0);
      glyph.negativeChange[row + c] += Math.min(now, 0) - Math.min(was, 0);
      if (Math.sign(now) === Math.sign(was)) kept[c] += Math.min(Math.abs(now), Math.abs(was));
      held[c] += Math.abs(was);
    }
    const links = clusterLinks(responseAt(states, t), unitCluster, k);
    for (let c = 0; c < k; c++) {
      const n = sizes[c];
      const i = row + c;
      glyph.positive[i] = n > 0 ? glyph.positive[i] / n : 0;
      glyph.negative[i] = n > 0 ? glyph.negative[i] / n : 0;
      glyph.positiveChange[i] = n > 0 ? glyph.positiveChange[i] / n : 0;
      glyph.negativeChange[i] = n > 0 ? glyph.negativeChange[i] / n : 0;
      glyph.kept[i] = held[c] > 0 ? kept[c] / held[c] : NaN;
      glyph.linkStrength[i] = links.strength[c];
      glyph.linkSign[i] = links.sign[c];
    }
  }
  return glyph;
}

/** The largest magnitude any glyph bar reaches (P, N and their changes), for one y-scale shared
 * by every token of every sentence; at least a tiny positive number so a scale always exists. */
export function glyphExtent(glyphs: Glyph[]): number {
  let most = 0;
  for (const g of glyphs) {
    for (const series of [g.positive, g.negative, g.positiveChange, g.negativeChange]) {
      for (let i = 0; i < series.length; i++) {
        const v = Math.abs(series[i]);
        if (v > most) most = v;
      }
    }
  }
  return most > 0 ? most : 1e-6;
}

/** The strongest token-to-cluster link among the glyphs (for one width scale). */
export function strongestLink(glyphs: Glyph[]): number {
  let most = 0;
  for (const g of glyphs) for (let i = 0; i < g.linkStrength.length; i++) most = Math.max(most, g.linkStrength[i]);
  return most;
}

/** Units in the order the main view draws them: clusters in `clusterOrder`, units of a cluster
 * in `unitOrder`. Returns the units and, per drawn cluster, where its units start and end. */
export function unitsInClusterOrder(unitCluster: ArrayLike<number>, unitOrder: ArrayLike<number>, clusterOrder: ArrayLike<number>): { units: number[]; spans: { cluster: number; start: number; end: number }[] } {
  const byCluster = new Map<number, number[]>();
  for (let i = 0; i < unitOrder.length; i++) {
    const unit = unitOrder[i];
    const c = unitCluster[unit];
    if (!byCluster.has(c)) byCluster.set(c, []);
    byCluster.get(c)?.push(unit);
  }
  const units: number[] = [];
  const spans: { cluster: number; start: number; end: number }[] = [];
  for (let i = 0; i < clusterOrder.length; i++) {
    const cluster = clusterOrder[i];
    const members = byCluster.get(cluster) ?? [];
    spans.push({ cluster, start: units.length, end: units.length + members.length });
    units.push(...members);
  }
  return { units, spans };
}

// Control and whitespace characters get visible stand-ins: a token must never be an invisible
// (or layout-breaking) gap in a row of glyphs.
const NAMED: Record<string, string> = { " ": "␣", "\n": "⏎", "\t": "⇥", "\r": "␍", "\u00a0": "⍽" };

/** Token text as drawn: spaces, tabs, line breaks and other control or invisible characters
 * become visible symbols (control pictures, or U+XXXX); an empty token becomes "∅". */
export function visibleToken(text: string): string {
  if (text.length === 0) return "∅";
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (NAMED[char]) out += NAMED[char];
    else if (code < 0x20) out += String.fromCodePoint(0x2400 + code);
    else if (code === 0x7f) out += "␡";
    else if ((code >= 0x80 && code < 0xa0) || (code >= 0x200b && code <= 0x200f) || (code >= 0x2028 && code <= 0x202e) || (code >= 0x2060 && code <= 0x2064) || code === 0xfeff || /\s/u.test(char)) {
      out += `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
    } else out += char;
  }
  return out;
}

/** How typical one occurrence is of its word: the occurrence's response r against the word's
 * mean response s across units (and, when kept, its outer quantile band per unit). */
export interface Typicality {
  correlation: number; // Pearson r between the occurrence and the mean profile (NaN if flat)
  meanAbsOccurrence: number; // mean |r| over units
  meanAbsExpected: number; // mean |s| over units
  insideBand: number | null; // fraction of units whose r lies within the outer quantile band
}

export function typicality(occurrence: ArrayLike<number>, mean: ArrayLike<number>, band: { low: ArrayLike<number>; high: ArrayLike<number> } | null): Typicality {
  const n = occurrence.length;
  let sa = 0;
  let sb = 0;
  for (let u = 0; u < n; u++) {
    sa += occurrence[u];
    sb += mean[u];
  }
  const ma = sa / n;
  const mb = sb / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  let absA = 0;
  let absB = 0;
  let inside = 0;
  for (let u = 0; u < n; u++) {
    const a = occurrence[u] - ma;
    const b = mean[u] - mb;
    cov += a * b;
    va += a * a;
    vb += b * b;
    absA += Math.abs(occurrence[u]);
    absB += Math.abs(mean[u]);
    if (band && occurrence[u] >= band.low[u] && occurrence[u] <= band.high[u]) inside += 1;
  }
  return {
    correlation: va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : NaN,
    meanAbsOccurrence: absA / n,
    meanAbsExpected: absB / n,
    insideBand: band ? inside / n : null,
  };
}
