import type { Router, RouteInput } from "../router.js";

/** Where a bandit's quality prior comes from: a constant (cold start) or an offline router (warm start). */
export type PriorSource = { kind: "constant"; quality: number } | { kind: "router"; router: Router };

/**
 * The prior mean q₀(x) the bandit's arms learn the residual of (PILOT's preference prior, Panda et al. 2025):
 * each arm models reward − q₀(x) with a zero-mean ridge prior, so before any feedback the bandit's means
 * are exactly q₀ — the offline router's predictions for a warm start, so it routes like that router at
 * step 0. A model the offline router does not know gets the best ("optimistic", "best") or mean prior of
 * the known models at that prompt (models added online are handled by the bandit: `BanditRouter.priorsOf`).
 */
export class PriorQuality {
  readonly source: PriorSource;
  private readonly newModelPrior: "optimistic" | "best" | "mean";
  /** The offline router's predictions for the last input asked about (a decision asks several times). */
  private last: { input: RouteInput; predicted: Float64Array } | undefined;

  constructor(source: PriorSource, newModelPrior: "optimistic" | "best" | "mean") {
    this.source = source;
    this.newModelPrior = newModelPrior;
  }

  /** q₀(x) for each of `models`. */
  predict(input: RouteInput, models: readonly string[]): Float64Array {
    const result = new Float64Array(models.length);
    if (this.source.kind === "constant") {
      result.fill(this.source.quality);
      return result;
    }
    const router = this.source.router;
    // One entry, by identity: choosing, an added model's prior and the update after it all ask about the same input.
    if (this.last?.input !== input) this.last = { input, predicted: router.predictQuality(input) };
    const predicted = this.last.predicted;
    let best = Number.NEGATIVE_INFINITY;
    let sum = 0;
    for (let i = 0; i < predicted.length; i++) {
      best = Math.max(best, predicted[i]!);
      sum += predicted[i]!;
    }
    const fallback = this.newModelPrior !== "mean" ? best : sum / Math.max(1, predicted.length);
    for (let i = 0; i < models.length; i++) {
      const at = router.models.indexOf(models[i]!);
      result[i] = at >= 0 ? predicted[at]! : fallback;
    }
    return result;
  }
}
