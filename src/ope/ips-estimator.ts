import { meanWithInterval, type EstimatorInput, type PointEstimate } from "./estimator-input.js";

/**
 * Inverse propensity scoring (Horvitz & Thompson 1952; for contextual bandits see Dudík, Langford & Li
 * 2011): V̂ = (1/n) Σ w_i y_i. Unbiased when every logged propensity is right and positive wherever the
 * candidate acts; its variance grows with the weights. 95 % interval: normal approximation on the
 * per-row terms w_i y_i.
 */
export function ipsEstimate(input: EstimatorInput): PointEstimate {
  const terms = new Float64Array(input.weights.length);
  for (let i = 0; i < terms.length; i++) terms[i] = input.weights[i]! * input.outcomes[i]!;
  return meanWithInterval(terms);
}
