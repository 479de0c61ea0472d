import { SwitchyardError } from "../core/errors.js";
import { bettingInterval } from "./betting-interval.js";
import { drEstimate } from "./dr-estimator.js";
import { meanWithInterval, type EstimatorInput, type OffPolicyEstimator, type PointEstimate } from "./estimator-input.js";
import { ipsEstimate } from "./ips-estimator.js";
import type { OpeRow } from "./ope-row.js";
import { outcomePredictions, type OutcomeModelKind } from "./outcome-model.js";
import { snipsEstimate } from "./snips-estimator.js";

/** The estimators `switchyard ope` knows. */
export const ESTIMATOR_NAMES = ["ips", "snips", "dr"] as const;
/** One of {@link ESTIMATOR_NAMES}. */
export type EstimatorName = (typeof ESTIMATOR_NAMES)[number];

const estimators: Record<EstimatorName, OffPolicyEstimator> = { ips: ipsEstimate, snips: snipsEstimate, dr: drEstimate };

/**
 * When an estimate is refused rather than reported (see docs/learning-loop.md). The defaults are
 * deliberately conservative: a normal-approximation interval on fewer than ~30 effective rows is not
 * worth printing.
 */
export interface OpeThresholds {
  /** Fewest rows with a reward (default 30). */
  minRewardedRows: number;
  /** Smallest effective sample size (Σw)²/Σw² over the rewarded rows (default 30). */
  minEffectiveSampleSize: number;
  /** Fewest rewarded rows on which the candidate agrees with the logged model, i.e. with a nonzero weight (default 30). */
  minMatchedRows: number;
  /** Largest share of rows logged with propensity 1 on which the candidate may choose another model (default 0.01). */
  maxDeterministicDisagreement: number;
}

/** Default {@link OpeThresholds}. */
export const DEFAULT_OPE_THRESHOLDS: OpeThresholds = { minRewardedRows: 30, minEffectiveSampleSize: 30, minMatchedRows: 30, maxDeterministicDisagreement: 0.01 };

/** The interval kinds SNIPS's reward interval can use (see {@link EvaluateOffPolicyOptions.snipsInterval}). */
export const SNIPS_INTERVALS = ["betting", "normal"] as const;
/** One of {@link SNIPS_INTERVALS}. */
export type SnipsInterval = (typeof SNIPS_INTERVALS)[number];

/** Options of {@link evaluateOffPolicy}. */
export interface EvaluateOffPolicyOptions {
  /** Which estimators to compute (default all three). */
  estimators?: readonly EstimatorName[];
  /** DR's outcome model (default `calibrated`; see `outcomePredictions`). */
  outcomeModel?: OutcomeModelKind;
  thresholds?: Partial<OpeThresholds>;
  /**
   * SNIPS's 95 % reward interval: `betting` (default; finite-sample valid for rewards in [0, 1], see
   * `bettingInterval`) or `normal` (the delta method: about half as wide, but too narrow when few heavily
   * weighted rows carry the candidate's departures from the logger). Cost intervals are always normal:
   * a cost has no known upper bound to bet against.
   */
  snipsInterval?: SnipsInterval;
}

/** One estimator's answer: the candidate's mean reward and mean cost per request, each with a 95 % interval. */
export interface EstimatorResult {
  reward: number;
  rewardCi: [number, number];
  costUsd: number;
  costCi: [number, number];
}

/** What `switchyard ope --json` prints (extra fields beyond the documented ones are additive). */
export interface OffPolicyReport {
  estimators: Partial<Record<EstimatorName, EstimatorResult>>;
  /** (Σw)² / Σw² over the rewarded rows: how many on-policy rows the log is worth for this candidate. */
  effectiveSampleSize: number;
  /** The logging policy's own mean reward (rewarded rows) and mean cost (all rows), on-policy. */
  logging: { reward: number; rewardCi: [number, number]; costUsd: number; costCi: [number, number] };
  rows: number;
  rewardedRows: number;
  /** Share of rows on which the candidate chooses the logged model. */
  agreement: number;
  /** Rewarded rows with a nonzero weight. */
  matchedRows: number;
  /** Largest importance weight among the rewarded rows. */
  maxWeight: number;
  outcomeModel: OutcomeModelKind;
  /** Which interval SNIPS's `rewardCi` is. */
  snipsInterval: SnipsInterval;
  /** True when every logged propensity is 1. */
  deterministicLogging: boolean;
}

function clamp(estimate: PointEstimate, low: number, high: number): [number, number] {
  // The true mean lies in the outcome's range, so cutting the interval there loses no coverage.
  return [Math.max(low, estimate.ci[0]), Math.min(high, estimate.ci[1])];
}

function refuse(message: string): SwitchyardError {
  return new SwitchyardError("ope_refused", message);
}

/**
 * Estimates a deterministic candidate policy's mean reward and mean cost from logged decisions with
 * IPS, SNIPS and DR, each with a 95 % interval, beside the logging policy's own value. Rewards are
 * estimated on the rows that have one (rewards missing at random), costs on every row. Refuses with an
 * `ope_refused` error — never a number — when the log cannot support an answer: deterministic logging
 * with a candidate that chooses otherwise, too few rewarded rows, or too little overlap (effective
 * sample size or rows where the candidate agrees with the log below the thresholds).
 *
 * @example
 * const report = evaluateOffPolicy(await opeRowsOf({ engine, entries }), { estimators: ["snips", "dr"] });
 */
export function evaluateOffPolicy(rows: readonly OpeRow[], options: EvaluateOffPolicyOptions = {}): OffPolicyReport {
  const thresholds = { ...DEFAULT_OPE_THRESHOLDS, ...options.thresholds };
  const names = options.estimators ?? ESTIMATOR_NAMES;
  const outcomeModel = options.outcomeModel ?? "calibrated";
  const snipsInterval = options.snipsInterval ?? "betting";
  if (rows.length === 0) throw refuse("the log has no rows to evaluate");
  const agreeing = rows.filter((row) => row.candidateModel === row.loggedModel).length;
  const agreement = agreeing / rows.length;
  const deterministicLogging = rows.every((row) => row.propensity === 1);
  if (deterministicLogging && 1 - agreement > thresholds.maxDeterministicDisagreement) {
    throw refuse(
      `every logged propensity is 1 (deterministic logging) and the candidate chooses another model on ${((1 - agreement) * 100).toFixed(1)}% of the rows: ` +
        "the log says nothing about what those models would have done there. Log with exploration (an online router, or a canary share) and evaluate again",
    );
  }
  // The same hole in a partly explored log: where the logger served with probability 1, the candidate's
  // other choice had probability 0 of being observed (no overlap), and IPS would silently count it as 0.
  const unexplored = rows.filter((row) => row.propensity === 1 && row.candidateModel !== row.loggedModel).length;
  if (unexplored / rows.length > thresholds.maxDeterministicDisagreement) {
    throw refuse(
      `on ${((unexplored / rows.length) * 100).toFixed(1)}% of the rows the logger served its choice with propensity 1 and the candidate chooses another model: ` +
        "those choices were never explored, so the log cannot value them. Log with exploration on all traffic and evaluate again",
    );
  }
  const rewarded = rows.filter((row) => row.reward !== undefined);
  if (rewarded.length < thresholds.minRewardedRows) {
    throw refuse(`only ${rewarded.length} of ${rows.length} rows have a reward (need at least ${thresholds.minRewardedRows}); collect feedback or judge grades first`);
  }
  const weightOf = (row: OpeRow) => (row.candidateModel === row.loggedModel ? 1 / row.propensity : 0);
  let sum = 0;
  let squares = 0;
  let matchedRows = 0;
  let maxWeight = 0;
  for (const row of rewarded) {
    const weight = weightOf(row);
    sum += weight;
    squares += weight * weight;
    if (weight > 0) matchedRows++;
    maxWeight = Math.max(maxWeight, weight);
  }
  const effectiveSampleSize = squares > 0 ? (sum * sum) / squares : 0;
  if (matchedRows < thresholds.minMatchedRows) {
    throw refuse(`the candidate agrees with the logged model on only ${matchedRows} rewarded rows (need at least ${thresholds.minMatchedRows}): too little overlap between the candidate and the logging policy`);
  }
  if (effectiveSampleSize < thresholds.minEffectiveSampleSize) {
    throw refuse(`effective sample size ${effectiveSampleSize.toFixed(1)} is below ${thresholds.minEffectiveSampleSize}: too little overlap (the candidate's choices were rarely explored; largest weight ${maxWeight.toFixed(1)})`);
  }

  const inputOf = (subset: readonly OpeRow[], outcome: "reward" | "costUsd"): EstimatorInput => {
    const predictions = outcomePredictions(subset, outcomeModel, outcome);
    return {
      weights: Float64Array.from(subset, weightOf),
      outcomes: Float64Array.from(subset, (row) => (outcome === "reward" ? row.reward! : row.costUsd)),
      predictedForCandidate: predictions.forCandidate,
      predictedForLogged: predictions.forLogged,
    };
  };
  const rewardInput = inputOf(rewarded, "reward");
  const costInput = inputOf(rows, "costUsd");
  const results: Partial<Record<EstimatorName, EstimatorResult>> = {};
  for (const name of names) {
    const reward = estimators[name](rewardInput);
    const cost = estimators[name](costInput);
    if (name === "snips" && snipsInterval === "betting") reward.ci = bettingInterval(rewardInput.weights, rewardInput.outcomes);
    results[name] = { reward: reward.value, rewardCi: clamp(reward, 0, 1), costUsd: cost.value, costCi: clamp(cost, 0, Number.POSITIVE_INFINITY) };
  }
  const loggingReward = meanWithInterval(Float64Array.from(rewarded, (row) => row.reward!));
  const loggingCost = meanWithInterval(Float64Array.from(rows, (row) => row.costUsd));
  return {
    estimators: results,
    effectiveSampleSize,
    logging: { reward: loggingReward.value, rewardCi: clamp(loggingReward, 0, 1), costUsd: loggingCost.value, costCi: clamp(loggingCost, 0, Number.POSITIVE_INFINITY) },
    rows: rows.length,
    rewardedRows: rewarded.length,
    agreement,
    matchedRows,
    maxWeight,
    outcomeModel,
    snipsInterval,
    deterministicLogging,
  };
}
