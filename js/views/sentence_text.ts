// The words of the sentence view: tooltips and the prediction beside a sentence, from the numbers
// already computed (no DOM beyond plain strings).
import { type DecodedPrediction, type Glyph, type SentenceData } from "../sentence_data";
import { visibleToken } from "../sentence_data";
import { fmt } from "./context";

const percent = (p: number): string => `${(100 * p).toFixed(p >= 0.995 || p < 0.01 ? 1 : 0)} %`;

/** The most likely class and its probability, or null for other predictions. */
export function predictedClass(prediction: DecodedPrediction | null): { label: string; probability: number; all: string } | null {
  if (!prediction || prediction.kind !== "classes" || prediction.final.length === 0) return null;
  let best = 0;
  for (let c = 1; c < prediction.final.length; c++) if (prediction.final[c] > prediction.final[best]) best = c;
  const all = prediction.labels.map((label, c) => `${label} ${percent(prediction.final[c])}`).join(" · ");
  return { label: prediction.labels[best], probability: prediction.final[best], all };
}

/** Prediction lines of token t: the prefix's class, or the language model's next tokens. */
export function predictionLines(prediction: DecodedPrediction | null, t: number): string[] {
  if (!prediction) return [];
  if (prediction.kind === "next_tokens") {
    const tokens = prediction.tokens[t] ?? [];
    const width = tokens.length;
    const next = tokens.map((token, j) => `${visibleToken(token)} ${percent(prediction.probs[t * width + j])}`);
    return next.length ? [`model's next token: ${next.join(" · ")}`] : [];
  }
  if (!prediction.perStep) return [];
  const c = prediction.labels.length;
  let best = 0;
  for (let j = 1; j < c; j++) if (prediction.perStep[t * c + j] > prediction.perStep[t * c + best]) best = j;
  return [`prediction of the prefix up to here: ${prediction.labels[best]} ${percent(prediction.perStep[t * c + best])}`];
}

/** Tooltip of a glyph column: the token, the cluster's numbers, the prediction. */
export function glyphTooltip(sentence: SentenceData, index: number, glyph: Glyph, t: number, cluster: number, state: string, backward: boolean, memory: boolean): string[] {
  const i = t * glyph.k + cluster;
  const before = backward ? t + 1 : t - 1;
  const previous = before >= 0 && before < sentence.tokens.length ? `“${visibleToken(sentence.tokens[before])}”` : "the initial state";
  const lines = [`“${visibleToken(sentence.tokens[t])}” · token ${t + 1} of ${sentence.tokens.length} · sentence ${index + 1}`];
  if (sentence.unknown[t] === 1) lines.push("not in the vocabulary: the model read it as the unknown token");
  lines.push(`unit cluster ${cluster} (${glyph.sizes[cluster]} units) · state ${state}`);
  lines.push(`P/n ${fmt(glyph.positive[i])} · N/n ${fmt(glyph.negative[i])}`);
  lines.push(`change since ${previous}: ΔP/n ${fmt(glyph.positiveChange[i])} · ΔN/n ${fmt(glyph.negativeChange[i])}`);
  const kept = glyph.kept[i];
  lines.push(Number.isFinite(kept) ? `kept ${percent(kept)} of the memory held after ${previous}` : `kept: nothing was held after ${previous}`);
  const sign = glyph.linkSign[i] > 0 ? "+" : glyph.linkSign[i] < 0 ? "−" : "0";
  lines.push(`link to the cluster: Σ|${memory ? "Δ" : ""}${state}|/n ${fmt(glyph.linkStrength[i])}, net sign ${sign}`);
  return lines;
}
