import type { WordVectorTable } from "./word-vector-table.js";

/**
 * Word frequencies fitted on the training prompts. Only words frequent enough to change their SIF
 * weight noticeably are kept (p(w) ≥ a/10, at most `maxFittedWords`), so the state stays small; every
 * other word gets the rank-based prior alone.
 */
export interface FittedWordFrequencies {
  /** In-vocabulary tokens counted in the training prompts. */
  tokenCount: number;
  /** Strength of the rank-based prior, in pseudo-tokens. */
  priorTokens: number;
  /** Counts of the kept words. */
  counts: Record<string, number>;
}

/** Options of {@link fitWordFrequencies}. */
export interface FitWordFrequenciesOptions {
  sifA: number;
  priorTokens: number;
  maxFittedWords: number;
}

/** Counts table words in tokenised training prompts and keeps the ones that matter for SIF weights. */
export function fitWordFrequencies(rowsPerText: readonly (readonly number[])[], table: WordVectorTable, options: FitWordFrequenciesOptions): FittedWordFrequencies {
  const counts = new Map<number, number>();
  let tokenCount = 0;
  for (const rows of rowsPerText) {
    for (const row of rows) {
      counts.set(row, (counts.get(row) ?? 0) + 1);
      tokenCount++;
    }
  }
  const minimumCount = (options.sifA / 10) * (tokenCount + options.priorTokens);
  const kept = [...counts.entries()]
    .filter(([, count]) => count >= minimumCount)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, options.maxFittedWords);
  const keptCounts: Record<string, number> = {};
  for (const [row, count] of kept) keptCounts[table.word(row)] = count;
  return { tokenCount, priorTokens: options.priorTokens, counts: keptCounts };
}

/**
 * Zipf's-law estimate of a word's unigram probability from its frequency rank r (0-based) in a
 * vocabulary of V words: p = 1 / ((r + 1) · H_V), H_V the V-th harmonic number.
 */
export function rankProbabilities(table: WordVectorTable): Float64Array {
  let harmonic = 0;
  for (let k = 1; k <= table.sourceVocabularySize; k++) harmonic += 1 / k;
  const probabilities = new Float64Array(table.size);
  for (let row = 0; row < table.size; row++) probabilities[row] = 1 / ((table.ranks[row]! + 1) * harmonic);
  return probabilities;
}

/**
 * Per-row SIF weights a / (a + p(w)) (Arora, Liang & Ma 2017, "A Simple but Tough-to-Beat Baseline for
 * Sentence Embeddings"). p(w) is the rank prior alone, or — when frequencies were fitted — the
 * smoothed estimate (count(w) + m · p_rank(w)) / (N + m) with m = `priorTokens` pseudo-tokens.
 */
export function sifWeights(table: WordVectorTable, sifA: number, frequencies: FittedWordFrequencies | undefined): Float32Array {
  const prior = rankProbabilities(table);
  const weights = new Float32Array(table.size);
  const denominator = frequencies ? frequencies.tokenCount + frequencies.priorTokens : 1;
  for (let row = 0; row < table.size; row++) {
    const probability = frequencies ? (frequencies.priorTokens * prior[row]!) / denominator : prior[row]!;
    weights[row] = sifA / (sifA + probability);
  }
  if (frequencies) {
    for (const [word, count] of Object.entries(frequencies.counts)) {
      const row = table.rowOfWord(word);
      if (row >= 0) weights[row] = sifA / (sifA + (count + frequencies.priorTokens * prior[row]!) / denominator);
    }
  }
  return weights;
}
