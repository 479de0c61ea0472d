import type { Router, RouteInput, RouterState } from "../router.js";
import type { NeighbourCostPredictor } from "./neighbour-cost.js";
import { NeighbourSearch } from "./neighbour-search.js";
import type { SimilarityIndex } from "./similarity-index.js";

/** Hyper-parameters of the kNN router. */
export interface KnnParams {
  /** Number of neighbours. */
  k: number;
  /** Neighbour weight = similarity^power (0 = plain average). */
  power: number;
  /** Neighbours less similar than this are ignored. */
  minSimilarity: number;
  /** Pseudo-count pulling each prediction toward the model's mean training score. */
  priorWeight: number;
}

/** Nearest neighbours of one query: training indices and similarities, most similar first. */
export interface Neighbours {
  indices: Int32Array;
  similarities: Float32Array;
  count: number;
}

/**
 * Cosine k-nearest-neighbour router: a candidate's predicted quality is the similarity-weighted mean of
 * its scores on the most similar training prompts, shrunk toward its mean score. "When Simple kNN Beats
 * Complex Learned Routers" (2025) and RouterBench (Hu et al. 2024) both find this hard to beat.
 *
 * With a `costPredictor` (the trainer's `cost: "neighbours"`), it also predicts each candidate's cost
 * from the neighbours' recorded costs (CARROT's separate cost estimate, see {@link NeighbourCostPredictor});
 * one neighbour search then serves both predictions of the same `RouteInput`.
 */
export class KnnRouter implements Router {
  readonly kind = "knn";
  readonly followsObjective = true;
  readonly models: readonly string[];
  readonly params: KnnParams;
  private readonly index: SimilarityIndex;
  /** The neighbour search (own, or shared with another kNN router over the same vectors). */
  private search: NeighbourSearch;
  /** Row-major scores: `scores[i × models.length + m]`. */
  private readonly scores: Float32Array;
  private readonly meanScores: Float64Array;
  /**
   * Trained from bandit feedback: `observationWeights[i × models.length + m]` is the inverse propensity of
   * model m's observed score on prompt i, 0 where it was not observed. Absent for a full score matrix.
   */
  readonly observationWeights?: Float32Array;
  private readonly toStateFunction: () => RouterState;
  /** Own cost prediction, present only when the router was trained with a cost predictor. */
  readonly predictCostUsd?: (input: RouteInput) => Float64Array;
  readonly costPredictor?: NeighbourCostPredictor;

  constructor(options: { models: readonly string[]; params: KnnParams; index: SimilarityIndex; scores: Float32Array; toState: () => RouterState; costPredictor?: NeighbourCostPredictor; observationWeights?: Float32Array }) {
    this.models = options.models;
    this.costPredictor = options.costPredictor;
    if (options.costPredictor) {
      const predictor = options.costPredictor;
      this.predictCostUsd = (input) => predictor.predict(this.sharedNeighbours(input), input.promptTokens);
    }
    this.params = options.params;
    this.index = options.index;
    this.scores = options.scores;
    this.toStateFunction = options.toState;
    const m = this.models.length;
    this.meanScores = new Float64Array(m);
    const n = this.index.size;
    this.observationWeights = options.observationWeights;
    const observed = this.observationWeights;
    if (observed) {
      // Self-normalised inverse-propensity mean of each model's observed scores.
      const totals = new Float64Array(m);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < m; j++) {
          this.meanScores[j]! += observed[i * m + j]! * this.scores[i * m + j]!;
          totals[j]! += observed[i * m + j]!;
        }
      }
      for (let j = 0; j < m; j++) this.meanScores[j] = totals[j]! > 0 ? this.meanScores[j]! / totals[j]! : 0;
    } else {
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) this.meanScores[j]! += this.scores[i * m + j]!;
      if (n > 0) for (let j = 0; j < m; j++) this.meanScores[j]! /= n;
    }
    this.search = new NeighbourSearch(this.index);
  }

  /**
   * Makes this router use `other`'s neighbour search when both index bit-identical training vectors
   * (an ensemble's knn and task-knn members over the same view), so a query routed through both is
   * scanned once; predictions are unchanged. Returns whether the search is now shared.
   */
  shareSearchWith(other: KnnRouter): boolean {
    if (other === this || other.search === this.search) return true;
    if (!this.index.sameVectors(other.index)) return false;
    this.search = other.search;
    return true;
  }

  /** Whether this router and `other` use one neighbour search. */
  sharesSearchWith(other: KnnRouter): boolean {
    return this.search === other.search;
  }

  /** Training scores, row-major (`scoreMatrix[i × models.length + m]`); read-only view for routers built on kNN. */
  get scoreMatrix(): Float32Array {
    return this.scores;
  }

  /** Number of training prompts. */
  get size(): number {
    return this.index.size;
  }

  /** The `k` most similar training prompts to the query. */
  neighbours(input: Pick<RouteInput, "embedding" | "sparseEmbedding">, k = this.params.k, exclude = -1): Neighbours {
    return this.search.neighbours(input, k, exclude);
  }

  predictQuality(input: RouteInput): Float64Array {
    return this.predictFromNeighbours(this.costPredictor ? this.sharedNeighbours(input) : this.neighbours(input), this.params);
  }

  /**
   * Neighbours for both predictions of one query (k = the larger of the quality and cost k; a top-k list
   * is a prefix of any longer one); the search remembers the last input object, so the second
   * prediction of the same input does not scan again.
   */
  private sharedNeighbours(input: RouteInput): Neighbours {
    return this.neighbours(input, Math.max(this.params.k, this.costPredictor?.k ?? 0));
  }

  /** Prediction from already-found neighbours (cross-validation reuses one neighbour search for many parameter sets). */
  predictFromNeighbours(neighbours: Neighbours, params: KnnParams): Float64Array {
    if (this.observationWeights) return this.predictFromObservedNeighbours(neighbours, params, this.observationWeights);
    const m = this.models.length;
    const sums = new Float64Array(m);
    let totalWeight = 0;
    const count = Math.min(params.k, neighbours.count);
    for (let r = 0; r < count; r++) {
      const similarity = neighbours.similarities[r]!;
      if (similarity < params.minSimilarity || similarity <= 0) break;
      const weight = params.power === 0 ? 1 : Math.pow(similarity, params.power);
      const row = neighbours.indices[r]! * m;
      for (let j = 0; j < m; j++) sums[j]! += weight * this.scores[row + j]!;
      totalWeight += weight;
    }
    const prediction = new Float64Array(m);
    const denominator = totalWeight + params.priorWeight;
    for (let j = 0; j < m; j++) {
      prediction[j] = denominator > 0 ? (sums[j]! + params.priorWeight * this.meanScores[j]!) / denominator : this.meanScores[j]!;
    }
    return prediction;
  }

  /**
   * Bandit feedback: per model, the similarity- and inverse-propensity-weighted mean of the scores the
   * neighbours observed for it (a self-normalised IPS estimate of the neighbourhood's mean), shrunk
   * toward the model's mean observed score with the same pseudo-count.
   */
  private predictFromObservedNeighbours(neighbours: Neighbours, params: KnnParams, observed: Float32Array): Float64Array {
    const m = this.models.length;
    const sums = new Float64Array(m);
    const weights = new Float64Array(m);
    const count = Math.min(params.k, neighbours.count);
    for (let r = 0; r < count; r++) {
      const similarity = neighbours.similarities[r]!;
      if (similarity < params.minSimilarity || similarity <= 0) break;
      const weight = params.power === 0 ? 1 : Math.pow(similarity, params.power);
      const row = neighbours.indices[r]! * m;
      for (let j = 0; j < m; j++) {
        const w = weight * observed[row + j]!;
        sums[j]! += w * this.scores[row + j]!;
        weights[j]! += w;
      }
    }
    const prediction = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      // E[1{served = m} / μ(m | x)] = 1 for every model, so each neighbour adds 1 to every model's
      // weight in expectation, as with a full score matrix: the pseudo-count keeps its meaning.
      const denominator = weights[j]! + params.priorWeight;
      prediction[j] = denominator > 0 ? (sums[j]! + params.priorWeight * this.meanScores[j]!) / denominator : this.meanScores[j]!;
    }
    return prediction;
  }

  explain(input: RouteInput): string[] {
    const found = this.neighbours(input, Math.min(3, this.params.k));
    const lines: string[] = [];
    for (let r = 0; r < found.count; r++) lines.push(`neighbour #${r + 1}: training prompt ${found.indices[r]} (cosine ${found.similarities[r]!.toFixed(3)})`);
    return lines;
  }

  toState(): RouterState {
    return this.toStateFunction();
  }
}

/** Indices and values of the `k` largest entries of `values` (descending), skipping `exclude`. */
export function topK(values: Float32Array, k: number, exclude = -1): Neighbours {
  const size = Math.max(0, Math.min(k, values.length - (exclude >= 0 ? 1 : 0)));
  const indices = new Int32Array(size);
  const similarities = new Float32Array(size).fill(-Infinity);
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (i === exclude) continue;
    const value = values[i]!;
    if (count === size && (size === 0 || value <= similarities[size - 1]!)) continue;
    let position = count < size ? count++ : size - 1;
    while (position > 0 && similarities[position - 1]! < value) {
      similarities[position] = similarities[position - 1]!;
      indices[position] = indices[position - 1]!;
      position--;
    }
    similarities[position] = value;
    indices[position] = i;
  }
  return { indices, similarities, count };
}
