import type { SparseVector } from "../embedders/sparse-vector.js";

/** What a router sees of one query. */
export interface RouteInput {
  /** The prompt text (all message contents joined). */
  text: string;
  /** The prompt's embedding from the artifact's embedder. */
  embedding: Float32Array;
  /** The same embedding in sparse form, when the embedder produces sparse vectors (hashed TF-IDF). */
  sparseEmbedding?: SparseVector;
  /** Estimated prompt tokens (see `estimateTokens`). */
  promptTokens: number;
  /** Dataset prompt id, when known (only the evaluation-only oracle uses it). */
  id?: string;
}

/** JSON-safe state of a trained router, stored in artifacts. */
export interface RouterState {
  kind: string;
  [key: string]: unknown;
}

/**
 * A trained routing strategy. It predicts each of its models' quality for a query; the routing
 * engine adds predicted cost and applies the objective (`willingnessToPay × quality − cost`).
 *
 * Routers that do not trade quality for cost (random, best-single) set `followsObjective` to false:
 * the engine then takes the model with the highest predicted quality whatever the knob says.
 */
export interface Router {
  /** Strategy name, e.g. `knn`. */
  readonly kind: string;
  /** Model ids this router predicts for, in the order of `predictQuality`'s output. */
  readonly models: readonly string[];
  readonly followsObjective: boolean;
  /** Predicted quality in [0, 1] for each of `models`. */
  predictQuality(input: RouteInput): Float64Array;
  /** Optional own cost prediction (USD) for each of `models`; otherwise the engine's cost model is used. */
  predictCostUsd?(input: RouteInput): Float64Array;
  /** Human-readable reasons for the last prediction, used by `route --explain` (optional). */
  explain?(input: RouteInput): string[];
  toState(): RouterState;
}
