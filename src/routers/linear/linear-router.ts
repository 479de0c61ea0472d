import { clamp01, sigmoid } from "../../math/scalar-functions.js";
import { sparseEntriesOf } from "../../math/sparse-rows.js";
import type { Router, RouteInput, RouterState } from "../router.js";
import { LinearFeatures, type LinearFeatureSpec } from "./linear-features.js";

/** How a quality model maps its linear score to a quality. */
export type LinearLink = "identity" | "logistic";

/** The learned cost predictor and why it is (not) used. */
export interface LinearCostPredictor {
  /** True when it beat the engine's default cost model on held-out training rows. */
  used: boolean;
  /** Weights of log(cost), row-major p × m. */
  weights: Float32Array;
  /** Duan's smearing factor per model: E[cost] = exp(φ·w) × smearing. */
  smearing: Float32Array;
  /** Mean absolute error (USD) on held-out training rows of the learned and the default (a + b × tokens) predictor. */
  heldOutMaeUsd: { learned: number; default: number };
}

/** Everything a {@link LinearRouter} is made of. */
export interface LinearRouterParts {
  models: readonly string[];
  features: LinearFeatureSpec;
  links: readonly LinearLink[];
  /** Quality weights, row-major p × m. */
  weights: Float32Array;
  penalties: readonly number[];
  cost: LinearCostPredictor;
  toState: () => RouterState;
}

/**
 * CARROT's linear router (Somerstep et al., 2025, "CARROT: A Cost Aware Rate Optimal Router"): one
 * linear quality estimator per candidate over [count-sketched embedding, optional prompt features, log
 * prompt tokens, 1] — ridge
 * regression, or logistic regression for candidates whose scores are 0/1 — plus a per-candidate log-cost
 * estimator that is only exposed when it beat the engine's default cost model on held-out rows. The
 * engine then picks the argmax of `wtp × quality − cost`, CARROT's "estimate both, then pick".
 */
export class LinearRouter implements Router {
  readonly kind = "linear";
  readonly followsObjective = true;
  readonly models: readonly string[];
  readonly predictCostUsd?: (input: RouteInput) => Float64Array;
  private readonly features: LinearFeatures;
  private readonly links: readonly LinearLink[];
  private readonly weights: Float32Array;
  private readonly cost: LinearCostPredictor;
  private readonly toStateFunction: () => RouterState;

  constructor(parts: LinearRouterParts) {
    this.models = parts.models;
    this.features = new LinearFeatures(parts.features);
    this.links = parts.links;
    this.weights = parts.weights;
    this.cost = parts.cost;
    this.toStateFunction = parts.toState;
    if (parts.cost.used) this.predictCostUsd = (input) => this.costOf(input);
  }

  predictQuality(input: RouteInput): Float64Array {
    const scores = this.linearScores(input, this.weights);
    for (let c = 0; c < scores.length; c++) scores[c] = clamp01(this.links[c] === "logistic" ? sigmoid(scores[c]!) : scores[c]!);
    return scores;
  }

  explain(input: RouteInput): string[] {
    const quality = this.predictQuality(input);
    const lines = this.models.map((model, c) => `${model}: ${this.links[c]} quality ${quality[c]!.toFixed(3)}`);
    lines.push(this.cost.used ? "cost: learned log-cost predictor" : "cost: engine default (a + b × prompt tokens)");
    return lines;
  }

  toState(): RouterState {
    return this.toStateFunction();
  }

  private costOf(input: RouteInput): Float64Array {
    const scores = this.linearScores(input, this.cost.weights);
    for (let c = 0; c < scores.length; c++) scores[c] = Math.exp(Math.min(50, scores[c]!)) * this.cost.smearing[c]!;
    return scores;
  }

  private linearScores(input: RouteInput, weights: Float32Array): Float64Array {
    const m = this.models.length;
    const { indices, values, count } = this.features.entriesOf(sparseEntriesOf(input.embedding, input.sparseEmbedding), input.promptTokens, input.text);
    const scores = new Float64Array(m);
    for (let a = 0; a < count; a++) {
      const base = indices[a]! * m;
      const value = values[a]!;
      for (let c = 0; c < m; c++) scores[c]! += value * weights[base + c]!;
    }
    return scores;
  }
}
