import { SwitchyardError } from "../core/errors.js";
import type { RoutingExample } from "../data/routing-example.js";

/** True outcomes of the test examples as dense matrices: `[exampleIndex][modelIndex]`. */
export interface OutcomeMatrix {
  models: readonly string[];
  /** True score (quality) of each model on each example. */
  quality: Float64Array[];
  /** True USD cost of each model on each example. */
  costUsd: Float64Array[];
}

/** Mean true cost and quality of one way of choosing a model per example. */
export interface MeanOutcome {
  meanCostUsd: number;
  meanQuality: number;
}

/**
 * Builds the true outcome matrices from the test examples, in `models` order. Throws `invalid_dataset`
 * naming the example and field when an outcome is missing or not a finite number (cost must be ≥ 0).
 */
export function outcomeMatrix(examples: readonly RoutingExample[], models: readonly string[]): OutcomeMatrix {
  if (examples.length === 0) throw new SwitchyardError("invalid_dataset", "evaluation: examples: the test set is empty");
  const quality: Float64Array[] = [];
  const costUsd: Float64Array[] = [];
  examples.forEach((example, index) => {
    const qualityRow = new Float64Array(models.length);
    const costRow = new Float64Array(models.length);
    models.forEach((model, modelIndex) => {
      const where = `evaluation: examples[${index}] (id "${example.id}"): outcomes.${model}`;
      const outcome = example.outcomes[model];
      if (outcome === undefined) throw new SwitchyardError("invalid_dataset", `${where}: missing (every test example needs an outcome for every model)`);
      if (typeof outcome.score !== "number" || !Number.isFinite(outcome.score)) {
        throw new SwitchyardError("invalid_dataset", `${where}.score: expected a finite number, got ${String(outcome.score)}`);
      }
      if (typeof outcome.costUsd !== "number" || !Number.isFinite(outcome.costUsd) || outcome.costUsd < 0) {
        throw new SwitchyardError("invalid_dataset", `${where}.costUsd: expected a finite number ≥ 0, got ${String(outcome.costUsd)}`);
      }
      qualityRow[modelIndex] = outcome.score;
      costRow[modelIndex] = outcome.costUsd;
    });
    quality.push(qualityRow);
    costUsd.push(costRow);
  });
  return { models, quality, costUsd };
}

/**
 * Mean TRUE cost and quality when example `i` is answered by model `choices[i]`. Every mean in the
 * evaluation goes through this one summation (examples in order, then ÷ n), so a router that always picks
 * model m lands bit-for-bit on model m's own point.
 */
export function meanOutcomeOf(choices: Int32Array, truth: OutcomeMatrix): MeanOutcome {
  let costSum = 0;
  let qualitySum = 0;
  for (let i = 0; i < choices.length; i++) {
    const model = choices[i] ?? 0;
    costSum += truth.costUsd[i]?.[model] ?? 0;
    qualitySum += truth.quality[i]?.[model] ?? 0;
  }
  const n = choices.length;
  return n === 0 ? { meanCostUsd: 0, meanQuality: 0 } : { meanCostUsd: costSum / n, meanQuality: qualitySum / n };
}

/** Mean true cost and quality of always answering with model `modelIndex`. */
export function singleModelOutcome(modelIndex: number, truth: OutcomeMatrix): MeanOutcome {
  return meanOutcomeOf(new Int32Array(truth.quality.length).fill(modelIndex), truth);
}
