import type { RouteInput } from "../routers/router.js";

/** One candidate as the router saw it. */
export interface CandidateScore {
  model: string;
  /** Predicted quality in [0, 1]. */
  predictedQuality: number;
  /** Predicted USD cost of answering this query. */
  predictedCostUsd: number;
  /** willingnessToPay × predictedQuality − predictedCostUsd. */
  objective: number;
}

/** What the router chose for one query, and why. */
export interface Decision {
  /** Chosen target id. */
  model: string;
  router: string;
  /** Willingness-to-pay the objective was evaluated at (USD per unit of quality). */
  willingnessToPay: number;
  /** The quality knob in [0, 1] that was mapped to `willingnessToPay`; absent when the query gave a willingness-to-pay directly. */
  quality?: number;
  /** Content version of the router artifact that decided (see `artifactVersionOf`); absent in test fakes. */
  artifact?: string;
  /** Every allowed candidate, best objective first. */
  candidates: CandidateScore[];
  /** Wall time spent deciding (embedding included), in milliseconds. */
  decisionMs: number;
  /**
   * Probability with which the policy served `model` for this query and candidate set (off-policy
   * evaluation needs it). Absent means 1: the choice was deterministic.
   */
  propensity?: number;
  /**
   * What the router saw (text, embedding), kept only for online routers so the gateway can learn
   * from a reward that arrives later. Never serialised into traces as it is.
   */
  routeInput?: RouteInput;
}
