import { Z_95, type EstimatorInput, type PointEstimate } from "./estimator-input.js";

/**
 * Self-normalised IPS (Swaminathan & Joachims 2015): V̂ = Σ w_i y_i / Σ w_i. Slightly biased (O(1/n)),
 * much lower variance than IPS, and always inside the range of the observed outcomes. 95 % interval by
 * the delta method: V̂ ± z · √(n/(n−1) Σ w_i² (y_i − V̂)²) / Σ w_i, the linearisation of the ratio
 * estimator. Like every normal-approximation interval it is too narrow when the candidate's disagreement
 * with the logger rests on a handful of heavily weighted rows (see BENCHMARKS.md, "Off-policy evaluation":
 * 82 % coverage on RouterBench at ε = 0.1 with about 8 such rows per log); a score (Fieller) interval, a
 * t-interval on the effective sample size and percentile, BCa and studentised bootstraps were tried there
 * and did not change that. `evaluateOffPolicy` therefore replaces this interval for rewards by
 * `bettingInterval` unless asked for the normal one.
 */
export function snipsEstimate(input: EstimatorInput): PointEstimate {
  const { weights, outcomes } = input;
  let weightSum = 0;
  let weighted = 0;
  for (let i = 0; i < weights.length; i++) {
    weightSum += weights[i]!;
    weighted += weights[i]! * outcomes[i]!;
  }
  if (weightSum <= 0) return { value: Number.NaN, ci: [Number.NaN, Number.NaN] };
  const value = weighted / weightSum;
  let variance = 0;
  for (let i = 0; i < weights.length; i++) variance += (weights[i]! * (outcomes[i]! - value)) ** 2;
  // n/(n−1) small-sample correction, as for the sample variance of the IPS terms.
  const n = weights.length;
  const standardError = Math.sqrt(variance * (n > 1 ? n / (n - 1) : Number.POSITIVE_INFINITY)) / weightSum;
  return { value, ci: [value - Z_95 * standardError, value + Z_95 * standardError] };
}
