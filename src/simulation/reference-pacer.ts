import { MAX_COST_SAFETY } from "../limits/budget-pacer.js";

/** Options of a {@link ReferencePacer}; the default is what `simulate({ paceToReference })` uses. */
export interface ReferencePacerOptions {
  /** Step size of the multiplier's update per step, per unit of relative cost error (default 0.01). */
  learningRate?: number;
}

const MAX_LOG_MULTIPLIER = Math.log(1e4);
/** Per-step relative errors beyond this are clipped (one dear answer must not swing the multiplier). */
const MAX_RELATIVE_ERROR = 10;

/**
 * The equal-money measuring device of `simulate({ paceToReference })`, not a deployable policy: it holds a
 * router to the offline reference's realised spend, **following the reference's own spending step by step** —
 * the reference streamed first, so its cost r_t at every step is known. The plan for step t is the reference's
 * r_t scaled by money left ÷ the reference's spend still to come (so past deviations are spread over the rest
 * of the stream, not caught up in a burst); after the step the multiplier on the willingness-to-pay moves by
 * dual descent on the relative error, log m ← log m − η·(c_t − plan_t) / (money left per step left). The hard
 * guard (`maxCostUsd`) keeps the total within the reference's, with the largest real/predicted cost ratio seen
 * as its margin. A router that routes exactly like the reference is exactly on plan at every step, so the
 * device changes none of its decisions; the `BudgetPacer` it replaced for this purpose (a plan of remaining
 * money ÷ remaining steps, η 0.05) reacted to every request's cost and moved a router that learns nothing by
 * −0.18…+0.15 points of reward (BENCHMARKS.md, "Equal money").
 */
export class ReferencePacer {
  private readonly costs: Float64Array;
  private readonly totalUsd: number;
  private readonly learningRate: number;
  private spentUsd = 0;
  private referenceSpentUsd = 0;
  private logMultiplier = 0;
  private costSafety = 1;

  constructor(referenceCostsUsd: readonly number[], options: ReferencePacerOptions = {}) {
    this.costs = Float64Array.from(referenceCostsUsd, (cost) => (Number.isFinite(cost) && cost > 0 ? cost : 0));
    // Summed in the order a router spending the same would sum its own costs, so that "on plan" is exact.
    let total = 0;
    for (const cost of this.costs) total += cost;
    this.totalUsd = total;
    this.learningRate = options.learningRate ?? 0.01;
  }

  /** The base willingness-to-pay scaled by the controller's multiplier (the same before every decision until the next `record`). */
  willingnessToPay(baseWillingnessToPay: number, _step?: number): number {
    return baseWillingnessToPay * Math.exp(this.logMultiplier);
  }

  /** The largest predicted cost the next step may have: what is left of the reference's total, over the margin. */
  maxCostUsd(_step?: number): number {
    const left = Math.max(0, this.totalUsd - this.spentUsd);
    // The relative 1e-12 absorbs the rounding between a predicted and a recorded cost of the same answer.
    return (left * (1 + 1e-12)) / this.costSafety;
  }

  /** Records step `step`'s real cost (0 when refused) and its predicted cost (the guard's margin). Steps come in order. */
  record(costUsd: number, step: number, predictedCostUsd?: number): void {
    const cost = Number.isFinite(costUsd) && costUsd > 0 ? costUsd : 0;
    const reference = step >= 0 && step < this.costs.length ? this.costs[step]! : 0;
    const leftUsd = this.totalUsd - this.spentUsd;
    const referenceLeftUsd = this.totalUsd - this.referenceSpentUsd;
    const stepsLeft = Math.max(1, this.costs.length - step);
    // On plan exactly when the router has spent what the reference had (left === referenceLeft).
    const plan = leftUsd === referenceLeftUsd ? reference : referenceLeftUsd > 0 ? (reference * Math.max(0, leftUsd)) / referenceLeftUsd : 0;
    const perStep = Math.max(0, leftUsd) / stepsLeft;
    if (perStep > 0) {
      const error = Math.max(-MAX_RELATIVE_ERROR, Math.min(MAX_RELATIVE_ERROR, (cost - plan) / perStep));
      this.logMultiplier = Math.max(-MAX_LOG_MULTIPLIER, Math.min(MAX_LOG_MULTIPLIER, this.logMultiplier - this.learningRate * error));
    }
    this.spentUsd += cost;
    this.referenceSpentUsd += reference;
    if (predictedCostUsd !== undefined && predictedCostUsd > 0 && cost > 0) this.costSafety = Math.min(MAX_COST_SAFETY, Math.max(this.costSafety, cost / predictedCostUsd));
  }
}
