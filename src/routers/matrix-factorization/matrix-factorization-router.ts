import { clamp01, sigmoid } from "../../math/scalar-functions.js";
import { sparseEntriesOf } from "../../math/sparse-rows.js";
import type { Router, RouteInput, RouterState } from "../router.js";
import { scoreModels, type MatrixFactorizationWeights } from "./matrix-factorization-model.js";

/** How the scorer was trained. */
export type MatrixFactorizationObjective = "pointwise" | "pairwise";

/**
 * RouteLLM's matrix-factorisation router (Ong et al., 2024; also EmbedLLM, Zhuang et al., 2024):
 * quality(p, m) = σ(⟨W·e(p), v_m⟩ + b_m), a learned projection W of the prompt embedding into d
 * dimensions scored against one learned vector per model. Trained pointwise (binary cross-entropy on
 * scores) the output is a calibrated-ish probability of a good answer; trained from pairwise preferences
 * (Bradley–Terry on σ(s_A − s_B), RouteLLM's setting) it is σ of a strength that ranks the candidates on
 * a prompt but whose scale is not a probability of success.
 */
export class MatrixFactorizationRouter implements Router {
  readonly kind = "matrix-factorization";
  readonly followsObjective = true;
  readonly models: readonly string[];
  readonly objective: MatrixFactorizationObjective;
  private readonly weights: MatrixFactorizationWeights;
  private readonly projected: Float64Array;
  private readonly toStateFunction: () => RouterState;

  constructor(parts: { models: readonly string[]; objective: MatrixFactorizationObjective; weights: MatrixFactorizationWeights; toState: () => RouterState }) {
    this.models = parts.models;
    this.objective = parts.objective;
    this.weights = parts.weights;
    this.projected = new Float64Array(parts.weights.dimension);
    this.toStateFunction = parts.toState;
  }

  /** Raw scores s(p, m) (logits) for each model. */
  scores(input: Pick<RouteInput, "embedding" | "sparseEmbedding">): Float64Array {
    const entries = sparseEntriesOf(input.embedding, input.sparseEmbedding);
    const scores = new Float64Array(this.models.length);
    scoreModels(this.weights, entries.indices, entries.values, 0, entries.indices.length, this.projected, scores);
    return scores;
  }

  predictQuality(input: RouteInput): Float64Array {
    const scores = this.scores(input);
    for (let m = 0; m < scores.length; m++) scores[m] = clamp01(sigmoid(scores[m]!));
    return scores;
  }

  toState(): RouterState {
    return this.toStateFunction();
  }
}
