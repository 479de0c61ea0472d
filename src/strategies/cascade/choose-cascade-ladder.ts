import type { CandidateScore } from "../../core/decision.js";
import type { Target } from "../../core/target.js";
import type { CascadeStep } from "./run-cascade.js";

/** Options of {@link chooseCascadeLadder}. */
export interface ChooseCascadeLadderOptions {
  /** The routing decision's candidates (any order). */
  candidates: readonly CandidateScore[];
  targetsById: ReadonlyMap<string, Target>;
  /** Longest ladder (default 3, at least 1). */
  maxSteps?: number;
  /** Cheap steps must have at least this predicted quality to be worth trying (default 0). */
  minPredictedQuality?: number;
  /** Threshold of every step but the last (default 0.5). */
  threshold?: number;
}

/**
 * A ladder chosen by the router: the candidates' cost–quality frontier (cheapest first, each step strictly
 * better in predicted quality than the one before), the cheapest `maxSteps − 1` frontier models whose
 * predicted quality is adequate (≥ `minPredictedQuality`), then the frontier's best model as the last step.
 * Candidates without a configured target are skipped. Empty when there are no candidates.
 */
export function chooseCascadeLadder(options: ChooseCascadeLadderOptions): CascadeStep[] {
  const maxSteps = Math.max(1, options.maxSteps ?? 3);
  const threshold = options.threshold ?? 0.5;
  const sorted = options.candidates
    .filter((candidate) => options.targetsById.has(candidate.model))
    .slice()
    .sort((a, b) => a.predictedCostUsd - b.predictedCostUsd || b.predictedQuality - a.predictedQuality || (a.model < b.model ? -1 : 1));
  const frontier: CandidateScore[] = [];
  for (const candidate of sorted) {
    const last = frontier[frontier.length - 1];
    if (last === undefined || candidate.predictedQuality > last.predictedQuality) frontier.push(candidate);
  }
  const top = frontier[frontier.length - 1];
  if (top === undefined) return [];
  const cheap = frontier.slice(0, -1).filter((candidate) => candidate.predictedQuality >= (options.minPredictedQuality ?? 0)).slice(0, maxSteps - 1);
  return [...cheap, top].map((candidate, index, all) => ({
    target: options.targetsById.get(candidate.model) as Target,
    threshold: index === all.length - 1 ? 1 : threshold,
  }));
}
