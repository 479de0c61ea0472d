import { shuffled, type Random } from "../../core/random.js";
import type { TrainingSet } from "../router-trainer.js";
import type { KnnParams, KnnRouter, Neighbours } from "./knn-router.js";

/** Leave-one-out queries at most (a seeded sample keeps tuning linear in the training size). */
const MAX_QUERIES = 2000;
/** Fewer queries above 50,000 training prompts: at most this many query × training-prompt similarity pairs… */
const MAX_SEARCH_PAIRS = 1e8;
/** …but never fewer queries than this. */
const MIN_QUERIES = 500;

/** Leave-one-out queries for `n` training prompts: 2,000 up to 50,000 prompts, then 10⁸ / n (1,000 at 100,000), at least 500. */
export function looQueryCount(n: number): number {
  return Math.min(n, MAX_QUERIES, Math.max(MIN_QUERIES, Math.floor(MAX_SEARCH_PAIRS / Math.max(1, n))));
}

const GRID = {
  k: [10, 20, 40, 80, 160, 320],
  power: [0, 1, 2, 4],
  priorWeight: [0, 1, 4],
} as const;

/** Scores a set of held-out predictions (higher is better); the trainer passes routing AIQ. */
export type PredictionScorer = (rows: readonly number[], quality: Float64Array[], costUsd: Float64Array[]) => number;

/** What tuning chose and how the candidates scored (kept in the artifact). */
export interface KnnTuning {
  best: KnnParams;
  summary: { criterion: string; queries: number; bestScore: number; defaultScore: number; tried: number };
}

/**
 * Chooses k, the similarity power and the prior weight by leave-one-out on the training split: each
 * sampled training prompt is predicted from all the others, and each setting is scored by `score`
 * (routing AIQ of the held-out predictions). Neighbours are searched once, up to the largest k, and
 * reused for every setting.
 *
 * Cost: each query is one exact search over all n prompts, so tuning costs queries × n; the queries
 * are a seeded sample of 2,000 (all of them below that), and above 50,000 prompts fewer
 * ({@link looQueryCount}: 1,000 at 100,000), which keeps tuning at 100,000 hashed-TF-IDF prompts near
 * 12 s. The hyper-parameters are still chosen against the whole training set's neighbours.
 */
export function tuneKnn(router: KnnRouter, data: TrainingSet, options: { random: Random; fixed: Partial<KnnParams>; score: PredictionScorer; costUsd: (row: number) => Float64Array }): KnnTuning {
  const n = data.examples.length;
  const queries = shuffled(Array.from({ length: n }, (_, i) => i), options.random).slice(0, looQueryCount(n));
  const maxK = Math.min(n - 1, Math.max(...(options.fixed.k !== undefined ? [options.fixed.k] : GRID.k)));
  const found: Neighbours[] = queries.map((i) => router.neighbours({ embedding: data.embeddings[i]!, sparseEmbedding: data.sparseEmbeddings?.[i] }, maxK, i));
  const costs = queries.map((i) => options.costUsd(i));
  const scoreOf = (params: KnnParams): number => options.score(queries, found.map((neighbours) => router.predictFromNeighbours(neighbours, params)), costs);
  const minSimilarity = options.fixed.minSimilarity ?? 0;
  let best: KnnParams = { ...router.params };
  const defaultScore = scoreOf(best);
  let bestScore = defaultScore;
  let tried = 0;
  for (const k of options.fixed.k !== undefined ? [options.fixed.k] : GRID.k) {
    for (const power of options.fixed.power !== undefined ? [options.fixed.power] : GRID.power) {
      for (const priorWeight of options.fixed.priorWeight !== undefined ? [options.fixed.priorWeight] : GRID.priorWeight) {
        const params = { k, power, priorWeight, minSimilarity };
        const score = scoreOf(params);
        tried++;
        if (score > bestScore + 1e-12) {
          bestScore = score;
          best = params;
        }
      }
    }
  }
  return { best, summary: { criterion: "leave-one-out routing AIQ on the training split", queries: queries.length, bestScore, defaultScore, tried } };
}
