/**
 * What an off-policy estimator reads, one entry per logged row (all arrays have the same length):
 * the importance weight of the logged action under the candidate policy, the observed outcome
 * (a reward in [0, 1], or a cost in USD), and for doubly robust estimation an outcome model's
 * prediction for the candidate's action and for the logged action.
 */
export interface EstimatorInput {
  /** w_i = π(a_i | x_i) / μ(a_i | x_i): the candidate's probability of the logged action over the logging propensity. */
  weights: Float64Array;
  /** y_i: the observed outcome of the logged action. */
  outcomes: Float64Array;
  /** ŷ(x_i, π(x_i)): the outcome model's prediction for the candidate's choice (only DR reads it). */
  predictedForCandidate: Float64Array;
  /** ŷ(x_i, a_i): the outcome model's prediction for the logged action (only DR reads it). */
  predictedForLogged: Float64Array;
}

/** A point estimate with its 95 % confidence interval. */
export interface PointEstimate {
  value: number;
  /** [lower, upper] of the 95 % interval (normal approximation; see each estimator). */
  ci: [number, number];
}

/** An off-policy estimator of the candidate policy's mean outcome. */
export type OffPolicyEstimator = (input: EstimatorInput) => PointEstimate;

/** Two-sided 95 % quantile of the standard normal distribution. */
export const Z_95 = 1.959963984540054;

/**
 * Mean of per-row terms with a normal-approximation 95 % interval: mean ± z · s / √n, s the sample
 * standard deviation (n − 1). IPS and DR are means of independent per-row terms, so the central limit
 * theorem applies to them directly.
 */
export function meanWithInterval(terms: Float64Array): PointEstimate {
  const n = terms.length;
  if (n === 0) return { value: Number.NaN, ci: [Number.NaN, Number.NaN] };
  let sum = 0;
  for (const term of terms) sum += term;
  const mean = sum / n;
  let squares = 0;
  for (const term of terms) squares += (term - mean) ** 2;
  const standardError = n > 1 ? Math.sqrt(squares / (n - 1) / n) : Number.POSITIVE_INFINITY;
  return { value: mean, ci: [mean - Z_95 * standardError, mean + Z_95 * standardError] };
}
