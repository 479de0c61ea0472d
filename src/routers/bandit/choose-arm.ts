import { createRandom, type Random } from "../../core/random.js";

/** What a policy knows about each offered candidate when choosing. */
export interface ArmScores {
  models: readonly string[];
  /** Posterior mean quality (prior + learned residual). */
  mean: Float64Array;
  /** Posterior standard deviation of the mean, in units of the noise (√(xᵀA⁻¹x)). */
  width: Float64Array;
  /** Predicted cost × the learned real/predicted ratio. */
  costUsd: Float64Array;
  /**
   * Candidates whose Thompson draw is optimistic — max(mean, draw), never below the mean (optimistic Thompson
   * sampling, May et al. 2012): models added online, so that exploring a newcomer never makes it lose where its
   * estimate already leads. Absent: every draw is symmetric.
   */
  optimistic?: ArrayLike<boolean>;
}

/** A policy's choice: the candidate's index, its propensity and the qualities it scored with. */
export interface ArmChoice {
  index: number;
  propensity: number;
  scoredQuality: Float64Array;
  /** The probability of each offered candidate under the policy (sums to 1); `propensities[index]` = `propensity`. */
  propensities: Float64Array;
}

/** How the bandit turns posterior means and widths into a choice. */
export type ExplorationPolicy =
  | { kind: "ucb"; alpha: number }
  | { kind: "thompson"; posteriorScale: number; propensityDraws: number }
  | { kind: "epsilon"; epsilon: number };

/** Index of the best `wtp × quality − cost`; ties go to the cheaper candidate, then the smaller id (as the engine's ranking). */
export function argmaxObjective(quality: ArrayLike<number>, scores: ArmScores, willingnessToPay: number): number {
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < quality.length; i++) {
    const value = willingnessToPay * quality[i]! - scores.costUsd[i]!;
    const better =
      value > bestValue ||
      (value === bestValue && (scores.costUsd[i]! < scores.costUsd[best]! || (scores.costUsd[i]! === scores.costUsd[best]! && scores.models[i]! < scores.models[best]!)));
    if (better) {
      best = i;
      bestValue = value;
    }
  }
  return best;
}

/** A standard normal draw (Box–Muller). */
export function standardNormal(random: Random): number {
  const u = Math.max(random(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function thompsonDraw(scores: ArmScores, scale: number, random: Random, out: Float64Array): void {
  const optimistic = scores.optimistic;
  for (let i = 0; i < out.length; i++) {
    const z = standardNormal(random);
    out[i] = scores.mean[i]! + scale * scores.width[i]! * (optimistic?.[i] === true ? Math.max(0, z) : z);
  }
}

/**
 * Chooses among the offered candidates only.
 * - `ucb` (LinUCB, Li et al. 2010): quality = mean + α·width; deterministic, propensity 1.
 * - `thompson` (linear Thompson sampling, Agrawal & Goyal 2013): each candidate's mean at x is drawn from its
 *   Gaussian posterior N(xᵀθ, v²·xᵀA⁻¹x) — exact for disjoint arms, O(p²) per arm, no Cholesky of A⁻¹. The
 *   propensity P(this candidate wins) has no closed form; it is estimated from `propensityDraws` further
 *   seeded draws of the m scalar normals, counting the realised draw too, so it is never 0. Candidates marked
 *   `optimistic` draw max(mean, draw) — in the choice and in the propensity estimate alike.
 * - `epsilon` (ε-greedy): the greedy mean choice with probability 1 − ε, a uniform candidate otherwise;
 *   the propensity is exact: (1 − ε)·[greedy] + ε/m.
 */
export function chooseArm(scores: ArmScores, willingnessToPay: number, policy: ExplorationPolicy, random: Random): ArmChoice {
  const m = scores.mean.length;
  if (policy.kind === "ucb") {
    const scoredQuality = new Float64Array(m);
    for (let i = 0; i < m; i++) scoredQuality[i] = scores.mean[i]! + policy.alpha * scores.width[i]!;
    const index = argmaxObjective(scoredQuality, scores, willingnessToPay);
    const propensities = new Float64Array(m);
    propensities[index] = 1;
    return { index, propensity: 1, scoredQuality, propensities };
  }
  if (policy.kind === "epsilon") {
    const greedy = argmaxObjective(scores.mean, scores, willingnessToPay);
    const explore = random() < policy.epsilon;
    const index = explore ? Math.min(m - 1, Math.floor(random() * m)) : greedy;
    const propensities = new Float64Array(m).fill(policy.epsilon / m);
    propensities[greedy]! += 1 - policy.epsilon;
    return { index, propensity: propensities[index]!, scoredQuality: Float64Array.from(scores.mean), propensities };
  }
  const scoredQuality = new Float64Array(m);
  thompsonDraw(scores, policy.posteriorScale, random, scoredQuality);
  const index = argmaxObjective(scoredQuality, scores, willingnessToPay);
  if (m === 1) return { index, propensity: 1, scoredQuality, propensities: Float64Array.of(1) };
  // The estimate's draws come from their own generator (seeded by one draw of `random`) so that the
  // number of draws does not shift the caller's random sequence.
  const estimator = createRandom(Math.floor(random() * 4294967296));
  const draw = new Float64Array(m);
  const propensities = new Float64Array(m);
  propensities[index] = 1;
  for (let d = 0; d < policy.propensityDraws; d++) {
    thompsonDraw(scores, policy.posteriorScale, estimator, draw);
    propensities[argmaxObjective(draw, scores, willingnessToPay)]! += 1;
  }
  for (let i = 0; i < m; i++) propensities[i]! /= policy.propensityDraws + 1;
  return { index, propensity: propensities[index]!, scoredQuality, propensities };
}
