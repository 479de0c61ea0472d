import type { Random } from "../../core/random.js";
import { argmaxObjective, type ArmChoice, type ArmScores } from "./choose-arm.js";

/** What the conservative gate needs besides the policy's choice. */
export interface ConservativeGate {
  /** Confidence multiplier β: intervals are mean ± β·width (width in the arms' noise units, like α). */
  beta: number;
  /** The prior's quality q₀(x) of each offered candidate (the offline router's prediction). */
  priorQuality: ArrayLike<number>;
  /**
   * Candidates the prior knows nothing about (models added online): they are neither the baseline nor
   * gated — the policy explores them as usual (their optimistic prior is their exploration).
   */
  exempt: readonly boolean[];
  /**
   * Probability η with which a refused candidate is played anyway (exploration the gate allows): without
   * it an arm the baseline never plays is never measured, so the gate could only open through the
   * baseline's own failures. Its cost is at most η × the refused candidates' utility gap.
   */
  explore: number;
}

/**
 * A conservative bandit (Wu, Shariff, Lattimore & Szepesvári 2016; Kazerouni et al. 2017 for linear
 * contextual bandits): the baseline is the prior's own choice, argmax wtp·q₀(x) − cost — exactly the
 * offline router's model at this prompt and cost — and the policy may leave it only where the evidence
 * says so: the policy's candidate is played when its lower confidence bound of utility beats the
 * baseline's upper bound,
 *   wtp·(mean_c − β·width_c) − cost_c > wtp·(mean_b + β·width_b) − cost_b,
 * otherwise the baseline is. Why per decision and not Wu et al.'s cumulative budget: a warm bandit's
 * losses came from many small deviations on noisy 0/1 evidence (the winner's curse of argmax over noisy
 * means), and the per-decision rule removes exactly those while keeping the ones feedback has made
 * certain; it needs no state.
 *
 * Propensities stay exact: every candidate the gate refuses keeps η of its probability and gives the rest
 * to the baseline (the gate depends only on the candidate, not on the policy's randomness; the η draw is
 * made only when the policy's own choice is refused).
 */
export function gateConservatively(choice: ArmChoice, scores: ArmScores, willingnessToPay: number, gate: ConservativeGate, random: Random): ArmChoice {
  const m = scores.mean.length;
  const known: number[] = [];
  for (let i = 0; i < m; i++) if (!gate.exempt[i]) known.push(i);
  if (known.length === 0) return choice;
  const priorOfKnown = Float64Array.from(known, (i) => gate.priorQuality[i]!);
  const knownScores: ArmScores = {
    models: known.map((i) => scores.models[i]!),
    mean: priorOfKnown,
    width: Float64Array.from(known, (i) => scores.width[i]!),
    costUsd: Float64Array.from(known, (i) => scores.costUsd[i]!),
  };
  const baseline = known[argmaxObjective(priorOfKnown, knownScores, willingnessToPay)]!;
  const upperBaseline = willingnessToPay * (scores.mean[baseline]! + gate.beta * scores.width[baseline]!) - scores.costUsd[baseline]!;
  const allowed = (i: number) =>
    i === baseline || gate.exempt[i] === true || willingnessToPay * (scores.mean[i]! - gate.beta * scores.width[i]!) - scores.costUsd[i]! > upperBaseline;
  if (allowed(choice.index) && choice.propensities.every((p, i) => p === 0 || allowed(i))) return choice;
  const propensities = Float64Array.from(choice.propensities);
  for (let i = 0; i < m; i++) {
    if (i !== baseline && !allowed(i)) {
      propensities[baseline]! += (1 - gate.explore) * propensities[i]!;
      propensities[i] = gate.explore * propensities[i]!;
    }
  }
  const index = allowed(choice.index) || (gate.explore > 0 && random() < gate.explore) ? choice.index : baseline;
  return { index, propensity: propensities[index]!, scoredQuality: choice.scoredQuality, propensities };
}
