/** JSON-safe state of one model's learned cost ratio: discounted sums of real and predicted cost. */
export interface CostRatioState {
  realUsd: number;
  predictedUsd: number;
}

/** Per-observation ratios outside this range are clipped (a zero or absurd prediction must not dominate). */
const RATIO_CLIP = { min: 0.01, max: 100 };

/**
 * The learned ratio of a model's real cost to the engine's predicted cost: Σ real / Σ predicted over that
 * model's observations, both sums discounted per observation, starting at 1 (the cost model is right) with a
 * prior of `priorWeight` observations at the first prediction seen. A ratio of sums, not a mean of
 * per-request ratios: the latter is biased upward for heavy-tailed answer lengths (Jensen), which would
 * make cheap models with variable costs look dearer than they are. The bandit multiplies the engine's predicted cost by it, so a
 * price change (or a cost model that is off for one provider) is learned from usage without retraining;
 * the discount is per observation of that model, so a model that stops being served keeps its last ratio.
 */
export class CostRatios {
  private readonly entries = new Map<string, CostRatioState>();
  private readonly discount: number;
  private readonly priorWeight: number;

  constructor(options: { discount: number; priorWeight: number }, state?: Record<string, CostRatioState>) {
    this.discount = options.discount;
    this.priorWeight = options.priorWeight;
    for (const [model, entry] of Object.entries(state ?? {})) this.entries.set(model, { ...entry });
  }

  /** Current ratio for `model` (1 before any observation). */
  ratioOf(model: string): number {
    const entry = this.entries.get(model);
    return entry && entry.predictedUsd > 0 ? entry.realUsd / entry.predictedUsd : 1;
  }

  /** Learns one observation of `model`'s real and predicted cost (ignored when either is not a positive number). */
  observe(model: string, realCostUsd: number, predictedCostUsd: number): void {
    if (!(realCostUsd >= 0) || !(predictedCostUsd > 0) || !Number.isFinite(realCostUsd) || !Number.isFinite(predictedCostUsd)) return;
    const real = predictedCostUsd * Math.min(RATIO_CLIP.max, Math.max(RATIO_CLIP.min, realCostUsd / predictedCostUsd));
    const entry = this.entries.get(model) ?? { realUsd: this.priorWeight * predictedCostUsd, predictedUsd: this.priorWeight * predictedCostUsd };
    this.entries.set(model, { realUsd: entry.realUsd * this.discount + real, predictedUsd: entry.predictedUsd * this.discount + predictedCostUsd });
  }

  /** Forgets a model. */
  delete(model: string): void {
    this.entries.delete(model);
  }

  toState(): Record<string, CostRatioState> {
    return Object.fromEntries([...this.entries].map(([model, entry]) => [model, { ...entry }]));
  }
}
