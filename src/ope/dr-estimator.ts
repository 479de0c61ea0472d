import { meanWithInterval, type EstimatorInput, type PointEstimate } from "./estimator-input.js";

/**
 * Doubly robust estimation (Dudík, Langford & Li 2011): V̂ = (1/n) Σ [ŷ(x_i, π(x_i)) + w_i (y_i − ŷ(x_i, a_i))].
 * The outcome model's prediction for the candidate's choice, corrected by the importance-weighted
 * residual of the logged action: unbiased when either the propensities or the outcome model are right,
 * and of lower variance than IPS the better the outcome model is. 95 % interval: normal approximation
 * on the per-row terms.
 */
export function drEstimate(input: EstimatorInput): PointEstimate {
  const { weights, outcomes, predictedForCandidate, predictedForLogged } = input;
  const terms = new Float64Array(weights.length);
  for (let i = 0; i < terms.length; i++) terms[i] = predictedForCandidate[i]! + weights[i]! * (outcomes[i]! - predictedForLogged[i]!);
  return meanWithInterval(terms);
}
