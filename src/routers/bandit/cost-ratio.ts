/** JSON-safe state of one model's learned cost ratio. */
export interface CostRatioState {
  ratio: number;
  weight: number;
}

/** Per-observation ratios outside this range are clipped (a zero or absurd prediction must not dominate). */
const RATIO_CLIP = { min: 0.01, max: 100 };

/**
 * The learned ratio of a model's real cost to the engine's predicted cost: a discounted average of
 * real/predicted over that model's observations, starting at 1 (the cost model is right) with a prior
 * weight of `priorWeight` observations. The bandit multiplies the engine's predicted cost by it, so a
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
    return this.entries.get(model)?.ratio ?? 1;
  }

  /** Learns one observation of `model`'s real and predicted cost (ignored when either is not a positive number). */
  observe(model: string, realCostUsd: number, predictedCostUsd: number): void {
    if (!(realCostUsd >= 0) || !(predictedCostUsd > 0) || !Number.isFinite(realCostUsd) || !Number.isFinite(predictedCostUsd)) return;
    const observed = Math.min(RATIO_CLIP.max, Math.max(RATIO_CLIP.min, realCostUsd / predictedCostUsd));
    const entry = this.entries.get(model) ?? { ratio: 1, weight: this.priorWeight };
    const weight = entry.weight * this.discount;
    const ratio = (entry.ratio * weight + observed) / (weight + 1);
    this.entries.set(model, { ratio, weight: weight + 1 });
  }

  /** Forgets a model. */
  delete(model: string): void {
    this.entries.delete(model);
  }

  toState(): Record<string, CostRatioState> {
    return Object.fromEntries([...this.entries].map(([model, entry]) => [model, { ...entry }]));
  }
}
