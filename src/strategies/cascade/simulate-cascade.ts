import type { Random } from "../../core/random.js";
import { nonDecreasingConvexHull, type CostQualityPoint } from "../../eval/hull.js";
import type { OutcomeMatrix } from "../../eval/outcome-matrix.js";

/**
 * Verdicts of a simulated judge with error rate `errorRate` (RouterBench's cascade simulation, Hu et al. 2024,
 * arXiv:2403.12031, §5.2): for each (example, model), with probability `errorRate` the judge returns the
 * WRONG verdict `1 − score`, otherwise the true score. One draw per (example, model), examples in order then
 * models in order, from `random` — so every chain sees the same judge, and a seed fixes every verdict.
 */
export function simulatedJudgeVerdicts(truth: OutcomeMatrix, options: { errorRate: number; random: Random }): Float64Array[] {
  return truth.quality.map((scores) => Float64Array.from(scores, (score) => (options.random() < options.errorRate ? 1 - score : score)));
}

/** Options of {@link simulateCascade}. */
export interface SimulateCascadeOptions {
  truth: OutcomeMatrix;
  /** `verdicts[example][model]` in [0, 1] (see {@link simulatedJudgeVerdicts}). */
  verdicts: readonly Float64Array[];
  /** Model indices, cheapest first. */
  chain: readonly number[];
  /** An answer is accepted when its verdict is ≥ this (default 0.5). */
  threshold?: number;
  /** USD of one judgement on each example (default 0: a free judge). The last step is never judged. */
  judgeCostUsd?: Float64Array;
}

/** One simulated cascade over a test set: mean TRUE cost (answers + judgements) and TRUE quality of the answers returned. */
export interface SimulatedCascade {
  chain: number[];
  meanCostUsd: number;
  meanQuality: number;
  /** Index of the model whose answer was returned, per example. */
  answeredBy: Int32Array;
  /** Share of examples that reached each step. */
  reachedShare: number[];
}

/**
 * Replays a cascade (FrugalGPT, Chen et al. 2023) on recorded outcomes: per example, try the chain's models
 * in order, paying each one's recorded cost and, for every step but the last, one judgement; stop at the
 * first step whose simulated verdict is ≥ `threshold`. Quality is the TRUE score of the returned answer.
 */
export function simulateCascade(options: SimulateCascadeOptions): SimulatedCascade {
  const { truth, verdicts, chain } = options;
  const threshold = options.threshold ?? 0.5;
  const n = truth.quality.length;
  const answeredBy = new Int32Array(n);
  const reached = new Array<number>(chain.length).fill(0);
  let costSum = 0;
  let qualitySum = 0;
  for (let i = 0; i < n; i++) {
    const costs = truth.costUsd[i] as Float64Array;
    for (let step = 0; step < chain.length; step++) {
      const model = chain[step] as number;
      reached[step] = (reached[step] ?? 0) + 1;
      costSum += costs[model] ?? 0;
      const last = step === chain.length - 1;
      if (!last) costSum += options.judgeCostUsd?.[i] ?? 0;
      if (last || (verdicts[i]?.[model] ?? 0) >= threshold) {
        answeredBy[i] = model;
        qualitySum += truth.quality[i]?.[model] ?? 0;
        break;
      }
    }
  }
  return {
    chain: [...chain],
    meanCostUsd: n === 0 ? 0 : costSum / n,
    meanQuality: n === 0 ? 0 : qualitySum / n,
    answeredBy,
    reachedShare: reached.map((count) => (n === 0 ? 0 : count / n)),
  };
}

/**
 * Every chain of 1 to `maxLength` distinct models that is increasing in `orderKey` (e.g. mean train
 * cost): the cascades worth trying (a cascade that escalates to a cheaper model is never better).
 */
export function increasingChains(orderKey: readonly number[], maxLength: number): number[][] {
  const order = orderKey.map((key, index) => ({ key, index })).sort((a, b) => a.key - b.key || a.index - b.index).map((entry) => entry.index);
  const chains: number[][] = [];
  const extend = (chain: number[], from: number): void => {
    if (chain.length > 0) chains.push(chain);
    if (chain.length === maxLength) return;
    for (let k = from; k < order.length; k++) extend([...chain, order[k] as number], k + 1);
  };
  extend([], 0);
  return chains;
}

/**
 * The chains whose (cost, quality) points lie on the non-decreasing convex hull of all the chains'
 * points — the ones worth keeping, chosen on the TRAIN split. Returned cheapest first.
 */
export function chainsOnHull(runs: readonly SimulatedCascade[]): SimulatedCascade[] {
  const hull = nonDecreasingConvexHull(runs.map((run) => ({ costUsd: run.meanCostUsd, quality: run.meanQuality })));
  return hull.map((point: CostQualityPoint) => {
    const match = runs.filter((run) => run.meanCostUsd === point.costUsd && run.meanQuality === point.quality);
    return match.sort((a, b) => a.chain.length - b.chain.length)[0] as SimulatedCascade;
  });
}
