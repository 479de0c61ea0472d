import type { CandidateScore } from "../../core/decision.js";

/** Options of {@link chooseFanOutModels}. */
export interface ChooseFanOutModelsOptions {
  /** Routing candidates, best objective first (as in `Decision.candidates`). */
  candidates: readonly CandidateScore[];
  /** At most this many models (default 3). */
  k?: number;
  /** The predicted costs of the chosen models must sum to at most this (the best candidate is always kept). */
  costCapUsd?: number;
}

/**
 * Router-chosen models for a fan-out (Router-R1, Zhang et al. 2025, routes to several models under a cost
 * budget): candidates in the router's order (best objective first), each added when the running sum of
 * predicted costs stays within `costCapUsd`, until `k` are chosen. The router's first choice is always in.
 */
export function chooseFanOutModels(options: ChooseFanOutModelsOptions): string[] {
  const k = Math.max(1, options.k ?? 3);
  const chosen: string[] = [];
  let spentUsd = 0;
  for (const candidate of options.candidates) {
    if (chosen.length >= k) break;
    const within = options.costCapUsd === undefined || spentUsd + candidate.predictedCostUsd <= options.costCapUsd;
    if (chosen.length === 0 || within) {
      chosen.push(candidate.model);
      spentUsd += candidate.predictedCostUsd;
    }
  }
  return chosen;
}
