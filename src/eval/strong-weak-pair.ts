import { singleModelOutcome, type OutcomeMatrix } from "./outcome-matrix.js";

/** The two models of a two-model set, as RouteLLM names them (Ong et al., 2024). */
export interface StrongWeakPair {
  /** Index (in the evaluation's model order) of the strong model. */
  strong: number;
  weak: number;
}

/**
 * For a set of exactly two models, which one is "strong": the one with the HIGHER MEAN TRUE COST on the
 * test set (ties → the higher mean true score, then the lexicographically larger model id). Cost, not score, decides because
 * RouteLLM's question is "how many calls to the expensive model does the router need"; on every RouteLLM set
 * the costlier model is also the better one. Returns null for any other number of models.
 */
export function strongWeakPair(truth: OutcomeMatrix): StrongWeakPair | null {
  if (truth.models.length !== 2) return null;
  const a = singleModelOutcome(0, truth);
  const b = singleModelOutcome(1, truth);
  const idA = truth.models[0] ?? "";
  const idB = truth.models[1] ?? "";
  const bIsStrong =
    b.meanCostUsd !== a.meanCostUsd ? b.meanCostUsd > a.meanCostUsd : b.meanQuality !== a.meanQuality ? b.meanQuality > a.meanQuality : idB > idA;
  return bIsStrong ? { strong: 1, weak: 0 } : { strong: 0, weak: 1 };
}
