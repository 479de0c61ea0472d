import type { SparseVector } from "../embedders/sparse-vector.js";
import type { RoutingExample } from "../data/routing-example.js";
import type { Router, RouterState } from "./router.js";

/** Everything a trainer gets: training examples, their embeddings and the candidate models. */
export interface TrainingSet {
  examples: readonly RoutingExample[];
  /** `embeddings[i]` is the embedding of `examples[i].prompt`. */
  embeddings: readonly Float32Array[];
  /** The same embeddings in sparse form, when the embedder produces them. */
  sparseEmbeddings?: readonly SparseVector[];
  /** Estimated prompt tokens of each example. */
  promptTokens: readonly number[];
  /**
   * The engine's predicted cost of each model on each example (cost model fitted on this split), for
   * trainers that tune on routing outcomes; absent in hand-made sets, where true costs stand in.
   */
  predictedCostUsd?: readonly Float64Array[];
  /** Candidate model ids, in the order routers must predict them. */
  models: readonly string[];
}

/**
 * Bandit feedback (a decision log): on each training row only the served model's outcome is known —
 * `examples[i].outcomes` holds just that model — together with the probability it was served.
 */
export interface BanditFeedback {
  /** Index into `models` of the model served on each row. */
  served: Int32Array;
  /** Its observed reward in [0, 1]. */
  reward: Float64Array;
  /** Inverse propensity 1 / μ(served | prompt) of each row. */
  inversePropensity: Float64Array;
}

/** Options every trainer accepts; strategy-specific ones ride along in `params`. */
export interface TrainOptions {
  /** Seed for every random draw, so training is deterministic. */
  seed: number;
  params?: Record<string, unknown>;
}

/** Builds one routing strategy: from training data, or back from an artifact's state. */
export interface RouterTrainer {
  readonly kind: string;
  /** One line for `--help` and docs, naming the paper the strategy comes from. */
  readonly description: string;
  /** False for strategies that need the answers (oracle) and so exist only in evaluation. */
  readonly servable: boolean;
  train(data: TrainingSet, options: TrainOptions): Router;
  fromState(state: RouterState): Router;
  /**
   * Optional: trains on `data` a router that makes the same choices as `reference` — a router this
   * trainer's `train` returned earlier in this process — instead of making them again: the strategy,
   * meta-model and members it selected by cross-validation and their tuned hyper-parameters are reused,
   * and only the fit itself is redone on `data`. `trainRouter` uses it for the copy trained on 80 % of
   * the split for the knob calibration. Trade-off: those choices were made on data that includes the
   * calibration's held-out 20 %, so the calibrated spend curve can be slightly optimistic; it never
   * touches the test split, nor the router that is returned. Returns undefined when it has nothing
   * worth reusing (e.g. the choices were cheap to make); the caller then uses `train`.
   */
  trainLike?(reference: Router, data: TrainingSet, options: TrainOptions): Router | undefined;
  /**
   * Optional: trains from bandit feedback (one served model per prompt, weighted by inverse propensity)
   * instead of a full score matrix. Strategies without it refuse a decision log (`train --dataset LOG`).
   */
  trainFromFeedback?(data: TrainingSet, feedback: BanditFeedback, options: TrainOptions): Router;
}
