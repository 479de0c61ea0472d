import { nonDecreasingConvexHull, type CostQualityPoint } from "./hull.js";
import { meanOutcomeOf, type MeanOutcome, type OutcomeMatrix } from "./outcome-matrix.js";

/**
 * The oracle's choice per example (RouterBench's Oracle, Hu et al., 2024, arXiv:2403.12031): the model with the best
 * TRUE score; ties → the cheapest true cost, then the smaller model id.
 */
export function oracleChoices(truth: OutcomeMatrix): Int32Array {
  const chosen = new Int32Array(truth.quality.length);
  truth.quality.forEach((scores, i) => {
    const costs = truth.costUsd[i] as Float64Array;
    let best = 0;
    for (let m = 1; m < scores.length; m++) {
      const q = scores[m] ?? 0;
      const bestQ = scores[best] ?? 0;
      const c = costs[m] ?? 0;
      const bestC = costs[best] ?? 0;
      if (q > bestQ || (q === bestQ && (c < bestC || (c === bestC && (truth.models[m] ?? "") < (truth.models[best] ?? ""))))) best = m;
    }
    chosen[i] = best;
  });
  return chosen;
}

/** The oracle's single point: mean true cost and quality of {@link oracleChoices}. */
export function oraclePoint(truth: OutcomeMatrix): MeanOutcome {
  return meanOutcomeOf(oracleChoices(truth), truth);
}

/**
 * The oracle's cost–quality curve: its willingness-to-pay sweep over TRUE scores and costs (per example the
 * argmax of `wtp × score − cost`), evaluated EXACTLY at every wtp where some choice changes rather than on a
 * grid. That sweep traces the upper hull of all per-example assignments, which is the Minkowski sum of the
 * per-example hulls: start from every example's cheapest model (ties → best score), then apply the
 * per-example hull segments (each a step to a costlier, better model) in order of decreasing slope
 * Δscore/Δcost, i.e. increasing wtp. No router that picks one model per example can get above this curve;
 * it ends at {@link oraclePoint}. Returned as a non-decreasing convex hull.
 */
export function oracleCurve(truth: OutcomeMatrix): CostQualityPoint[] {
  const n = truth.quality.length;
  if (n === 0) return [];
  let costUsd = 0;
  let quality = 0;
  const steps: Array<{ deltaCostUsd: number; deltaQuality: number; slope: number }> = [];
  truth.quality.forEach((scores, i) => {
    const costs = truth.costUsd[i] as Float64Array;
    const own = nonDecreasingConvexHull(Array.from(scores, (score, m) => ({ costUsd: costs[m] ?? 0, quality: score })));
    const start = own[0] as CostQualityPoint;
    costUsd += start.costUsd;
    quality += start.quality;
    for (let k = 1; k < own.length; k++) {
      const a = own[k - 1] as CostQualityPoint;
      const b = own[k] as CostQualityPoint;
      const deltaCostUsd = b.costUsd - a.costUsd;
      const deltaQuality = b.quality - a.quality;
      steps.push({ deltaCostUsd, deltaQuality, slope: deltaQuality / deltaCostUsd });
    }
  });
  steps.sort((a, b) => b.slope - a.slope);
  const vertices: CostQualityPoint[] = [{ costUsd: costUsd / n, quality: quality / n }];
  for (const step of steps) {
    costUsd += step.deltaCostUsd;
    quality += step.deltaQuality;
    vertices.push({ costUsd: costUsd / n, quality: quality / n });
  }
  return nonDecreasingConvexHull(vertices);
}
