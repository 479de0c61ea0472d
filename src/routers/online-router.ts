import type { CandidatePrediction } from "../core/objective.js";
import type { Random } from "../core/random.js";
import type { Router, RouteInput } from "./router.js";

/**
 * What an online router chose among the candidates the engine offered, and with which probability.
 * `propensity` is the probability with which the policy serves `model` for this input and candidate set
 * (1 for a deterministic choice): off-policy evaluation and inverse-propensity training rely on it.
 */
export interface OnlineChoice {
  /** The chosen candidate's model id (one of the offered candidates). */
  model: string;
  /** P(policy serves `model` | input, candidates), in (0, 1]. */
  propensity: number;
  /**
   * The quality each offered candidate was scored with when choosing (an upper confidence bound, a
   * posterior sample, or the mean for a greedy step), in the order of the offered candidates.
   */
  scoredQuality: Float64Array;
}

/** One observed outcome an online router learns from. */
export interface OnlineObservation {
  input: RouteInput;
  /** The model that served. */
  model: string;
  /** Observed quality in [0, 1] (feedback score, judge grade, dataset score in simulation). */
  reward: number;
  /** Real USD cost of the answer, when known (routers that learn cost use it; others ignore it). */
  costUsd?: number;
  /**
   * The engine's predicted cost of `model` for this input at decision time (`decision.candidates`), so a
   * router can learn the ratio of real to predicted cost; routers fall back to their own cost model.
   */
  predictedCostUsd?: number;
}

/** An outcome of a model added online on an anchor prompt it was run on when added (reward in [0, 1]). */
export type AnchorObservation = Omit<OnlineObservation, "model">;

/** Options of {@link OnlineRouter.addModel}. */
export interface AddOnlineModelOptions {
  /** The new model's outcomes on a few anchor prompts (UniRoute's anchor set): a measured prior instead of an assumed one. */
  anchors?: readonly AnchorObservation[];
}

/**
 * A router that keeps learning from the traffic it serves (contextual bandits): it still predicts each
 * model's quality (its posterior mean), and in addition chooses with exploration and learns from
 * bandit feedback — the chosen model's reward only. The engine's objective stays
 * `willingnessToPay × quality − cost`; exploration only changes the quality term used to choose.
 * Candidates passed to `choose` are already restricted by the engine (allowed models, key permissions,
 * open breakers, budgets): an online router never explores outside them.
 */
export interface OnlineRouter extends Router {
  readonly online: true;
  /** Chooses one of `candidates` (non-empty; predicted costs filled in) at this willingness-to-pay. */
  choose(input: RouteInput, candidates: readonly CandidatePrediction[], willingnessToPay: number, random: Random): OnlineChoice;
  /** Learns one observation; a model the router does not know is ignored (returns false). */
  update(observation: OnlineObservation): boolean;
  /** Adds a model with the router's exploration prior, or one measured on `options.anchors` (no-op when known). */
  addModel(model: string, options?: AddOnlineModelOptions): void;
  /** Forgets a model (no-op when unknown). */
  removeModel(model: string): void;
  /**
   * Alarms of its change detector since this router was built (routers that watch for change): when an
   * update raises it, that update's target was seen to shift, and its arm starts over or its level moves.
   */
  readonly restarts?: number;
}

/** True for routers that choose with exploration and learn online. */
export function isOnlineRouter(router: Router): router is OnlineRouter {
  return (router as Partial<OnlineRouter>).online === true;
}
