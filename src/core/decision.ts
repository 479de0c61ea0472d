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
  /** Rollout: which arm decided while a canary runs (`primary` or `canary`); absent without a canary. */
  arm?: "primary" | "canary";
  /** Rollout: what the shadow artifact would have served, filled in off the response path. */
  shadow?: ShadowRecord;
}

/** A shadow artifact's decision for the same request (see `src/rollout/shadow-decision.ts`). */
export interface ShadowRecord {
  /** `skipped`: not decided because the shadow was too far behind (a saturated machine; the shadow log samples). */
  readonly status: "pending" | "decided" | "failed" | "skipped";
  readonly model: string | undefined;
  readonly predictedQuality: number | undefined;
  readonly predictedCostUsd: number | undefined;
  readonly router: string;
  readonly artifact: string;
  readonly decisionMs: number | undefined;
  readonly error: string | undefined;
  /** Resolves when the record stops being pending (the trace writer waits a bounded time for it). */
  whenSettled?(): Promise<void>;
}
